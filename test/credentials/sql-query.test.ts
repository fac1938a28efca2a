import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSqlIdentifier,
  isSqlTableName,
  quoteSqlName,
  SqlIdentifierError,
} from '../../src/sql/identifiers.js';
import { buildLookupQuery, DEFAULT_CREDENTIAL_TABLE } from '../../src/credentials/sql/query.js';

describe('SQL identifiers', () => {
  it('accepts plain identifiers and schema.table only', () => {
    for (const name of ['subscriber', '_x', 'ha1_sha256', 'A1', 'x'.repeat(63)])
      assert.ok(isSqlIdentifier(name), name);
    for (const name of ['', '1a', 'a-b', 'a b', 'a.b', 'a;', '"a"', '`a`', 'é', 'x'.repeat(64), 'a\0']) {
      assert.ok(!isSqlIdentifier(name), name);
    }
    assert.ok(isSqlTableName('opensips.subscriber'));
    assert.ok(!isSqlTableName('a.b.c'));
    assert.ok(!isSqlTableName('.subscriber'));
    assert.ok(!isSqlTableName('subscriber.'));
  });

  it('quotes for each dialect, folding to lower case for PostgreSQL as an unquoted name would', () => {
    assert.equal(quoteSqlName('mysql', 'User', 'column'), '`User`');
    assert.equal(quoteSqlName('sqlite', 'User', 'column'), '"User"');
    assert.equal(quoteSqlName('postgres', 'User', 'column'), '"user"');
    assert.equal(quoteSqlName('postgres', 'Public.Subscriber', 'table', true), '"public"."subscriber"');
    assert.equal(quoteSqlName('mysql', 'opensips.subscriber', 'table', true), '`opensips`.`subscriber`');
    assert.throws(() => quoteSqlName('mysql', 'a.b', 'column'), SqlIdentifierError);
    assert.throws(() => quoteSqlName('mysql', 'a`b', 'column'), /column "a`b" is not an SQL identifier/);
  });
});

describe('buildLookupQuery', () => {
  it("selects only the password column in cleartext mode (msrprelay's defaults)", () => {
    const query = buildLookupQuery('mysql', DEFAULT_CREDENTIAL_TABLE);
    assert.equal(
      query.sql,
      'SELECT `password` FROM `subscriber` WHERE `username` = ? AND `domain` = ? LIMIT 1',
    );
    assert.deepEqual(query.decode(['secret']), { kind: 'password', password: 'secret' });
    assert.deepEqual(query.decode(['']), { kind: 'password', password: '' });
    assert.equal(query.decode([null]), undefined);
  });

  it('selects ha1, and the SHA-256 column when configured, in HA1 mode', () => {
    const table = { ...DEFAULT_CREDENTIAL_TABLE, cleartextPasswords: false };
    assert.equal(
      buildLookupQuery('postgres', table).sql,
      'SELECT "ha1" FROM "subscriber" WHERE "username" = $1 AND "domain" = $2 LIMIT 1',
    );
    const both = buildLookupQuery('sqlite', { ...table, ha1Sha256Column: 'ha1_sha256' });
    assert.equal(
      both.sql,
      'SELECT "ha1", "ha1_sha256" FROM "subscriber" WHERE "username" = ? AND "domain" = ? LIMIT 1',
    );
    assert.deepEqual(both.decode(['aa', 'bb']), { kind: 'ha1', ha1: { MD5: 'aa', 'SHA-256': 'bb' } });
    assert.deepEqual(both.decode([' aa\n', null]), { kind: 'ha1', ha1: { MD5: 'aa' } });
    assert.deepEqual(both.decode(['', 'bb']), { kind: 'ha1', ha1: { 'SHA-256': 'bb' } });
    assert.deepEqual(both.decode([Buffer.from('aa'), new Uint8Array([0x62, 0x62])]), {
      kind: 'ha1',
      ha1: { MD5: 'aa', 'SHA-256': 'bb' },
    });
    assert.equal(both.decode([null, null]), undefined);
    assert.equal(both.decode(['', '']), undefined);
  });

  it('does not select the unused columns, so they need not exist', () => {
    const table = {
      ...DEFAULT_CREDENTIAL_TABLE,
      passwordColumn: 'pw',
      ha1Column: 'hash',
      ha1Sha256Column: 'hash256',
    };
    assert.doesNotMatch(buildLookupQuery('mysql', table).sql, /hash/);
    assert.doesNotMatch(buildLookupQuery('mysql', { ...table, cleartextPasswords: false }).sql, /`pw`/);
  });

  it('checks every name it uses', () => {
    const bad = 'x` = `x` OR 1=1 -- ';
    for (const key of ['table', 'usernameColumn', 'domainColumn', 'passwordColumn'] as const) {
      assert.throws(
        () => buildLookupQuery('mysql', { ...DEFAULT_CREDENTIAL_TABLE, [key]: bad }),
        SqlIdentifierError,
      );
    }
    const hashed = { ...DEFAULT_CREDENTIAL_TABLE, cleartextPasswords: false };
    assert.throws(() => buildLookupQuery('sqlite', { ...hashed, ha1Column: bad }), SqlIdentifierError);
    assert.throws(() => buildLookupQuery('sqlite', { ...hashed, ha1Sha256Column: bad }), SqlIdentifierError);
  });
});
