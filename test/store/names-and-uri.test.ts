// Parsing and checking without a database: accounts, names, store URIs, migration lists, binding keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBindingKey } from '../../src/store/location/binding.js';
import { latestVersion, type Migration, pendingMigrations } from '../../src/store/migrations.js';
import {
  InvalidInputError,
  normalizeDomain,
  parseAccount,
  parseStoreUri,
  SchemaVersionError,
  StoreUriError,
} from '../../src/store/index.js';

describe('parseAccount', () => {
  it('splits user@domain, strips sip:/sips:, lower-cases the domain only', () => {
    assert.deepEqual(parseAccount('Alice@Example.COM'), { username: 'Alice', domain: 'example.com' });
    assert.deepEqual(parseAccount('sip:bob@example.com'), { username: 'bob', domain: 'example.com' });
    assert.deepEqual(parseAccount('SIPS:carol@192.0.2.1'), { username: 'carol', domain: '192.0.2.1' });
    assert.deepEqual(parseAccount('dave+x.y_z-1@[2001:DB8::1]'), {
      username: 'dave+x.y_z-1',
      domain: '[2001:db8::1]',
    });
  });

  it('rejects what is not user@domain', () => {
    for (const text of [
      'alice',
      '@example.com',
      'alice@',
      'a@b@c',
      'al ice@example.com',
      'alice@ex ample.com',
      'alice@-x.com',
    ]) {
      assert.throws(() => parseAccount(text), InvalidInputError, text);
    }
  });

  it('accepts host names with digits, hyphens and underscores; rejects empty labels', () => {
    assert.equal(normalizeDomain('sip-1.Example_net.org'), 'sip-1.example_net.org');
    for (const bad of ['example..com', '.example.com', 'example.com.', 'ex/ample.com', 'exämple.com']) {
      assert.throws(() => normalizeDomain(bad), InvalidInputError, bad);
    }
  });
});

describe('parseStoreUri', () => {
  it('reads SQLite URIs, relative ones against the base directory', () => {
    assert.deepEqual(parseStoreUri('sqlite:///var/lib/missive/m.db'), {
      backend: 'sqlite',
      connection: { dialect: 'sqlite', path: '/var/lib/missive/m.db', ignoredParameters: [] },
    });
    const relative = parseStoreUri('sqlite:data/m.db', '/srv');
    assert.equal(relative.backend === 'sqlite' && relative.connection.path, '/srv/data/m.db');
    const encoded = parseStoreUri('sqlite:///tmp/a%20b%3Fc.db');
    assert.equal(encoded.backend === 'sqlite' && encoded.connection.path, '/tmp/a b?c.db');
  });

  it('reads PostgreSQL URIs with an optional schema', () => {
    const plain = parseStoreUri('postgresql://missive:pw@db.example.com:6432/messaging');
    assert.ok(plain.backend === 'postgres');
    assert.equal(plain.schema, undefined);
    assert.equal(plain.connection.port, 6432);
    const withSchema = parseStoreUri('postgres://missive@db/messaging?sslmode=require&schema=missive_1');
    assert.ok(withSchema.backend === 'postgres');
    assert.equal(withSchema.schema, 'missive_1');
    assert.equal(withSchema.connection.sslMode, 'require');
    assert.equal(withSchema.connection.database, 'messaging');
  });

  it('refuses other schemes, unknown parameters and bad schema names, without echoing the password', () => {
    const bad = [
      'mysql://root:Pw-1234@localhost/db',
      'sqlite:///tmp/x.db?cache=1',
      'sqlite:///tmp/x.db?schema=s',
      'postgresql://u:Pw-1234@h/db?schema=bad-name',
      'postgresql://u:Pw-1234@h/db?foo=1',
      'redis://localhost',
      'sqlite:///:memory:',
    ];
    for (const uri of bad) {
      assert.throws(
        () => parseStoreUri(uri),
        (error: unknown) => error instanceof StoreUriError && !error.message.includes('Pw-1234'),
        uri,
      );
    }
  });
});

describe('migration lists', () => {
  const step = (version: number): Migration => ({ version, description: '', statements: () => [] });

  it('must be numbered 1, 2, 3… without gaps', () => {
    assert.equal(latestVersion([]), 0);
    assert.equal(latestVersion([step(1), step(2)]), 2);
    assert.throws(() => latestVersion([step(1), step(3)]), /numbered 3/);
    assert.throws(() => latestVersion([step(2)]), /numbered 2/);
  });

  it('pending steps are those above the current version; a newer database is refused', () => {
    const list = [step(1), step(2), step(3)];
    assert.deepEqual(
      pendingMigrations(list, 0).map((m) => m.version),
      [1, 2, 3],
    );
    assert.deepEqual(
      pendingMigrations(list, 2).map((m) => m.version),
      [3],
    );
    assert.deepEqual(pendingMigrations(list, 3), []);
    assert.throws(() => pendingMigrations(list, 4), SchemaVersionError);
  });
});

describe('binding keys', () => {
  it('a flow key and a contact key never collide', () => {
    const flow = encodeBindingKey({ instanceId: 'x', regId: 1 });
    const contact = encodeBindingKey({ contact: 'flow 1 x' });
    assert.notEqual(flow, contact);
    assert.notEqual(
      encodeBindingKey({ instanceId: '2 y', regId: 1 }),
      encodeBindingKey({ instanceId: 'y', regId: 12 }),
    );
  });
});
