// Relay spec §9.2 test 32 end to end, §5.2 and §7 [Database]: a relay with `backend = database` and
// `cleartext_passwords = no` authenticates against a Kamailio-style subscriber table's ha1 column, in
// MariaDB (127.0.0.1:3306), PostgreSQL (127.0.0.1:5432) and SQLite. The servers must be running (CI starts
// them): a server that is down fails these tests with a message saying so. Tables are unique per run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createSubscriberTable,
  dropTable,
  MYSQL_URI,
  openMysqlBackend,
  openPostgresBackend,
  openSqliteBackend,
  POSTGRES_URI,
  type TestBackend,
  uniqueTableName,
} from '../../credentials/sql-backends.js';
import { freePort } from '../../support/ports.js';
import { auth, requestChallenge } from '../harness/auth.js';
import { md5 } from '../harness/digest.js';
import { RelayProcess } from '../harness/relay-process.js';
import type { Suite } from '../harness/suite.js';
import { answerChallenge, assertLoginFailed, relayHolder, suiteOf } from './fixtures.js';
import { PROCESS_START_MS } from '../../support/wait.js';

// A test starts one or more relays (PROCESS_START_MS each at the most on a loaded machine).
const T = { timeout: 3 * PROCESS_START_MS };

interface Dialect {
  readonly name: string;
  readonly where: string;
  open(): Promise<TestBackend>;
  /** The [Database] uri reaching the test database. */
  uri(backend: TestBackend): string;
  /** A uri where no database answers. */
  unreachableUri(backend: TestBackend): Promise<string>;
}

const DIALECTS: readonly Dialect[] = [
  {
    name: 'MariaDB',
    where: MYSQL_URI,
    open: openMysqlBackend,
    uri: () => MYSQL_URI,
    unreachableUri: async () => `mysql://root@127.0.0.1:${await freePort()}/test`,
  },
  {
    name: 'PostgreSQL',
    where: POSTGRES_URI,
    open: openPostgresBackend,
    uri: () => POSTGRES_URI,
    unreachableUri: async () => `postgres://postgres@127.0.0.1:${await freePort()}/test`,
  },
  {
    name: 'SQLite',
    where: 'a file in a temporary directory',
    open: openSqliteBackend,
    uri: (backend) => `sqlite://${sqlitePath(backend)}`,
    unreachableUri: (backend) =>
      Promise.resolve(`sqlite://${join(sqlitePath(backend), '..', 'missing', 'none.db')}`),
  },
];

function sqlitePath(backend: TestBackend): string {
  if (backend.connection.dialect !== 'sqlite') throw new Error('not an SQLite backend');
  return backend.connection.path;
}

describe('relay spec §9.2 test 32: HA1 credentials from a database', { concurrency: true }, () => {
  for (const dialect of DIALECTS) {
    describe(dialect.name, { concurrency: true }, () => {
      let backend: TestBackend | undefined;
      const table = uniqueTableName();
      const holder = relayHolder();
      const db = (): TestBackend => {
        if (backend === undefined) throw new Error('no database');
        return backend;
      };
      const database = (uri: string): Record<string, string> => ({
        uri,
        cleartext_passwords: 'no',
        subscriber_table: table,
        lookup_timeout: '3',
      });

      before(async () => {
        try {
          backend = await dialect.open();
        } catch (error) {
          throw new Error(
            `${dialect.name} at ${dialect.where} is not reachable (${(error as Error).message}); ` +
              'these tests need it running (CI starts it)',
          );
        }
        await createSubscriberTable(backend, table);
        const insert = `INSERT INTO ${backend.quote(table)} (username, domain, password, ha1) VALUES (?, ?, ?, ?)`;
        // alice: the right ha1, and a password column that is not her password (it must not be used).
        await backend.exec(insert, ['alice', 'example.com', 'not-1234', md5('alice:example.com:1234')]);
        // bob: the cleartext column holds the password the client uses, but the ha1 is of another one.
        await backend.exec(insert, ['bob', 'example.com', '1234', md5('bob:example.com:other')]);
        await holder.start({
          tls: false,
          // msrprelay's texts, which tell an unknown user apart (the default no longer does).
          settings: { backend: 'database', uniform_auth_failures: 'no' },
          sections: { Database: database(dialect.uri(backend)) },
        });
      });
      after(async () => {
        try {
          await holder.stop();
        } finally {
          if (backend !== undefined) {
            await dropTable(backend, table);
            await backend.close();
          }
        }
      });

      const suite = (): Suite => suiteOf(holder.relay);

      it('the right ha1 → 200 with a Use-Path', T, async (t) => {
        const s = suite();
        const { usePath } = await auth(await s.scope(t).client(), { toUri: s.domainUri, fromUri: s.aUri });
        assert.match(usePath, /^msrp:\/\/127\.0\.0\.1:\d+\/[^;]+;tcp$/);
      });

      it('a wrong ha1 → 403 Login failed: Incorrect password', T, async (t) => {
        const s = suite();
        const reply = await answerChallenge(await s.scope(t).client(), s, { username: 'bob' });
        assertLoginFailed(reply, s, 'Incorrect password');
      });

      it('an unknown user → 403 Login failed: Username not found', T, async (t) => {
        const s = suite();
        const reply = await answerChallenge(await s.scope(t).client(), s, { username: 'zed' });
        assertLoginFailed(reply, s, 'Username not found');
      });

      it(
        'the database unreachable → 403 Login failed: Database error; the relay keeps running',
        T,
        async (t) => {
          const relay = await RelayProcess.start({
            tls: false,
            settings: { backend: 'database' },
            sections: { Database: database(await dialect.unreachableUri(db())) },
          });
          t.after(() => relay.stop());
          const s = suiteOf(relay);
          const scope = s.scope(t);
          assertLoginFailed(await answerChallenge(await scope.client(), s, {}), s, 'Database error');
          assert.ok(relay.running, `the relay exited:\n${relay.output()}`);
          await requestChallenge(await scope.client(), { toUri: s.domainUri, fromUri: s.aUri });
          assertLoginFailed(await answerChallenge(await scope.client(), s, {}), s, 'Database error');
          assert.ok(relay.running, `the relay exited:\n${relay.output()}`);
        },
      );
    });
  }
});
