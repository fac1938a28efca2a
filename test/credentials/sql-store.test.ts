// The SQL credential store against real MariaDB, PostgreSQL and SQLite: one conformance suite, three
// backends. Each test makes its own uniquely named table and drops it afterwards.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { md5 } from '../support/md5.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { computeHa1 } from '../../src/auth/digest.js';
import {
  openSqlCredentialStore,
  openSqlDriver,
  SqlCredentialStore,
  type SqlCredentialStoreOptions,
} from '../../src/credentials/sql/index.js';
import { parseDatabaseUri, SqlIdentifierError } from '../../src/sql/index.js';
import { CredentialStoreError } from '../../src/credentials/store.js';
import {
  createSubscriberTable,
  dropTable,
  openMysqlBackend,
  openPostgresBackend,
  openSqliteBackend,
  silentServer,
  type TestBackend,
  uniqueTableName,
} from './sql-backends.js';

const TEST_TIMEOUT = { timeout: 20_000 };
const ALICE_HA1 = md5('alice:example.com:1234');
const ALICE_HA1_SHA256 = createHash('sha256').update('alice:example.com:1234').digest('hex');

const BACKENDS: readonly { name: string; open: () => Promise<TestBackend> }[] = [
  { name: 'MariaDB (mysql2)', open: openMysqlBackend },
  { name: 'PostgreSQL (pg)', open: openPostgresBackend },
  { name: 'SQLite (better-sqlite3)', open: openSqliteBackend },
];

/** A rejection with CredentialStoreError whose message does not contain `secret`. */
function isStoreError(secret?: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof CredentialStoreError, `expected CredentialStoreError, got ${String(error)}`);
    assert.notEqual(error.message, '');
    if (secret !== undefined) assert.ok(!error.message.includes(secret), `password in "${error.message}"`);
    return true;
  };
}

for (const { name, open } of BACKENDS) {
  describe(name, () => {
    let backend: TestBackend;

    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    /** A Kamailio subscriber table dropped when the test ends, with alice, bob@other.org and carol (no ha1). */
    async function subscriberTable(t: TestContext, sha256 = false): Promise<string> {
      const table = uniqueTableName();
      await createSubscriberTable(backend, table, sha256);
      t.after(() => dropTable(backend, table));
      const rows: [string, string, string, string, string][] = [
        ['alice', 'example.com', '1234', ALICE_HA1, 'ignored-ha1b'],
        ['bob', 'other.org', 'bobpw', computeHa1('MD5', 'bob', 'other.org', 'bobpw'), ''],
        ['carol', 'example.com', 'carolpw', '', ''],
      ];
      for (const row of rows) {
        await backend.exec(
          `INSERT INTO ${backend.quote(table)} (username, domain, password, ha1, ha1b) VALUES (?, ?, ?, ?, ?)`,
          row,
        );
      }
      return table;
    }

    async function store(t: TestContext, options: SqlCredentialStoreOptions): Promise<SqlCredentialStore> {
      const opened = await openSqlCredentialStore({
        connection: backend.connection,
        timeoutMs: 5000,
        ...options,
      });
      t.after(() => opened.close());
      return opened;
    }

    it('looks up a cleartext password', TEST_TIMEOUT, async (t) => {
      const table = await subscriberTable(t);
      const credentials = await store(t, { table });
      assert.deepEqual(await credentials.lookup('alice', 'example.com'), {
        kind: 'password',
        password: '1234',
      });
      assert.deepEqual(await credentials.lookup('bob', 'other.org'), { kind: 'password', password: 'bobpw' });
      await credentials.verify();
    });

    it('looks up an HA1 with cleartext_passwords = no', TEST_TIMEOUT, async (t) => {
      const table = await subscriberTable(t);
      const credentials = await store(t, { table, cleartextPasswords: false });
      assert.deepEqual(await credentials.lookup('alice', 'example.com'), {
        kind: 'ha1',
        ha1: { MD5: ALICE_HA1 },
      });
      // An empty ha1 is no credential at all.
      assert.equal(await credentials.lookup('carol', 'example.com'), undefined);
    });

    it(
      'returns undefined for an unknown user, a wrong domain and quoting tricks',
      TEST_TIMEOUT,
      async (t) => {
        const table = await subscriberTable(t);
        const credentials = await store(t, { table });
        assert.equal(await credentials.lookup('mallory', 'example.com'), undefined);
        assert.equal(await credentials.lookup('alice', 'other.org'), undefined);
        assert.equal(await credentials.lookup('alice', 'example.com.'), undefined);
        assert.equal(await credentials.lookup("x' OR '1'='1", "x' OR '1'='1"), undefined);
        assert.equal(await credentials.lookup('alice', "example.com' --"), undefined);
        assert.equal(await credentials.lookup('', ''), undefined);
      },
    );

    it('reads custom table and column names, with reserved words and a schema', TEST_TIMEOUT, async (t) => {
      // No id and only one credential column per mode: msrprelay (SQLObject) needed all of them.
      const table = uniqueTableName('accounts');
      const q = backend.quote;
      await backend.exec(
        `CREATE TABLE ${q(table)} (${q('user')} VARCHAR(64) NOT NULL, realm VARCHAR(64) NOT NULL, secret VARCHAR(64), digest VARCHAR(64))`,
      );
      t.after(() => dropTable(backend, table));
      await backend.exec(
        `INSERT INTO ${q(table)} (${q('user')}, realm, secret, digest) VALUES (?, ?, ?, ?)`,
        ['alice', 'example.com', '1234', ALICE_HA1],
      );
      await backend.exec(
        `INSERT INTO ${q(table)} (${q('user')}, realm, secret, digest) VALUES (?, ?, ?, ?)`,
        ['nopass', 'example.com', null, null],
      );
      const columns = { table: `${backend.schema}.${table}`, usernameColumn: 'user', domainColumn: 'realm' };
      const cleartext = await store(t, { ...columns, passwordColumn: 'secret', ha1Column: 'no_such_column' });
      assert.deepEqual(await cleartext.lookup('alice', 'example.com'), {
        kind: 'password',
        password: '1234',
      });
      // A NULL password is no credential, never an empty password.
      assert.equal(await cleartext.lookup('nopass', 'example.com'), undefined);
      const hashed = await store(t, {
        ...columns,
        cleartextPasswords: false,
        passwordColumn: 'no_such_column',
        ha1Column: 'digest',
      });
      assert.deepEqual(await hashed.lookup('alice', 'example.com'), { kind: 'ha1', ha1: { MD5: ALICE_HA1 } });
      assert.equal(await hashed.lookup('nopass', 'example.com'), undefined);
      // A column that does not exist is a database error, and verify() finds it at startup.
      const wrong = await store(t, { ...columns, passwordColumn: 'no_such_column' });
      await assert.rejects(wrong.lookup('alice', 'example.com'), isStoreError());
      await assert.rejects(wrong.verify(), isStoreError());
    });

    it('rejects an injection attempt in a table or column name at construction', TEST_TIMEOUT, async (t) => {
      const table = await subscriberTable(t);
      const attacks: SqlCredentialStoreOptions[] = [
        { table, usernameColumn: "username = username OR '1'='1' --" },
        { table, domainColumn: 'domain; DROP TABLE x' },
        { table, passwordColumn: 'password`, (SELECT 1)' },
        { table, passwordColumn: 'password", (SELECT 1) "' },
        { table: `${table}; DROP TABLE ${table}` },
        { table: `${table} --` },
        { table, cleartextPasswords: false, ha1Sha256Column: 'ha1 FROM x --' },
        { table, usernameColumn: '1username' },
        { table, usernameColumn: '' },
        { table: `a.b.${table}` },
      ];
      const driver = await openSqlDriver(backend.connection, { timeoutMs: 5000 });
      t.after(() => driver.close());
      for (const options of attacks) {
        assert.throws(() => new SqlCredentialStore(driver, backend.dialect, options), SqlIdentifierError);
        await assert.rejects(
          openSqlCredentialStore({ connection: backend.connection, ...options }),
          SqlIdentifierError,
        );
      }
      // The table is untouched.
      const credentials = await store(t, { table });
      assert.deepEqual(await credentials.lookup('alice', 'example.com'), {
        kind: 'password',
        password: '1234',
      });
    });

    it('reads the SHA-256 HA1 column when one is configured', TEST_TIMEOUT, async (t) => {
      const table = await subscriberTable(t, true);
      await backend.exec(`UPDATE ${backend.quote(table)} SET ha1_sha256 = ? WHERE username = ?`, [
        ALICE_HA1_SHA256,
        'alice',
      ]);
      const credentials = await store(t, { table, cleartextPasswords: false, ha1Sha256Column: 'ha1_sha256' });
      assert.deepEqual(await credentials.lookup('alice', 'example.com'), {
        kind: 'ha1',
        ha1: { MD5: ALICE_HA1, 'SHA-256': ALICE_HA1_SHA256 },
      });
      // bob's SHA-256 column is NULL: only MD5.
      assert.deepEqual(await credentials.lookup('bob', 'other.org'), {
        kind: 'ha1',
        ha1: { MD5: computeHa1('MD5', 'bob', 'other.org', 'bobpw') },
      });
      // Without the option the column is not read; in cleartext mode neither.
      const md5Only = await store(t, { table, cleartextPasswords: false });
      assert.deepEqual(await md5Only.lookup('alice', 'example.com'), {
        kind: 'ha1',
        ha1: { MD5: ALICE_HA1 },
      });
      const cleartext = await store(t, { table, ha1Sha256Column: 'ha1_sha256' });
      assert.deepEqual(await cleartext.lookup('alice', 'example.com'), {
        kind: 'password',
        password: '1234',
      });
    });

    it(
      'rejects with CredentialStoreError, without the password, when the database is unreachable',
      TEST_TIMEOUT,
      async (t) => {
        for (const broken of await backend.brokenConnections()) {
          const credentials = await openSqlCredentialStore({
            connection: broken.connection,
            timeoutMs: 5000,
          });
          t.after(() => credentials.close());
          const started = Date.now();
          await assert.rejects(
            credentials.lookup('alice', 'example.com'),
            isStoreError(broken.secret),
            broken.label,
          );
          await assert.rejects(credentials.verify(), isStoreError(broken.secret), broken.label);
          assert.ok(Date.now() - started < 5000, `${broken.label}: took ${Date.now() - started} ms`);
        }
      },
    );

    it('times out a lookup on a database that never answers', TEST_TIMEOUT, async (t) => {
      if (backend.connection.dialect === 'sqlite') {
        t.skip('SQLite has no server');
        return;
      }
      const server = await silentServer();
      t.after(() => server.close());
      const { dialect } = backend.connection;
      const connection = parseDatabaseUri(`${dialect}://user:S3cret-pw@127.0.0.1:${server.port}/test`, '/');
      const credentials = await openSqlCredentialStore({ connection, timeoutMs: 300 });
      t.after(() => credentials.close());
      const started = Date.now();
      await assert.rejects(credentials.lookup('alice', 'example.com'), isStoreError('S3cret-pw'));
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 2000, `took ${elapsed} ms`);
    });

    it('reconnects after the server drops its connection', TEST_TIMEOUT, async (t) => {
      const idSql = backend.connectionIdSql;
      if (idSql === undefined) {
        t.skip('SQLite has no server connection');
        return;
      }
      const table = await subscriberTable(t);
      const driver = await openSqlDriver(backend.connection, { timeoutMs: 5000, maxConnections: 1 });
      const credentials = new SqlCredentialStore(driver, backend.dialect, { table, timeoutMs: 5000 });
      t.after(() => credentials.close());
      assert.deepEqual(await credentials.lookup('alice', 'example.com'), {
        kind: 'password',
        password: '1234',
      });
      const [[before]] = (await driver.query(idSql, [])) as [[unknown]];
      await backend.kill(String(before));
      await sleep(200);
      // The pool may hand out the dead connection once before it notices; then it opens a new one.
      let found: unknown;
      for (let attempt = 0; attempt < 3 && found === undefined; attempt++) {
        found = await credentials.lookup('alice', 'example.com').catch(() => undefined);
      }
      assert.deepEqual(found, { kind: 'password', password: '1234' });
      const [[after]] = (await driver.query(idSql, [])) as [[unknown]];
      assert.notEqual(String(after), String(before));
    });

    it('close() ends the store: lookups reject, a second close() is harmless', TEST_TIMEOUT, async (t) => {
      const table = await subscriberTable(t);
      const credentials = await openSqlCredentialStore({ connection: backend.connection, table });
      assert.deepEqual(await credentials.lookup('alice', 'example.com'), {
        kind: 'password',
        password: '1234',
      });
      await credentials.close();
      await assert.rejects(credentials.lookup('alice', 'example.com'), isStoreError());
      await credentials.close();
    });
  });
}
