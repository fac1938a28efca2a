/**
 * The store's contract, run against every backend (sqlite.test.ts, postgres.test.ts,
 * conformance-cassandra.test.ts). Each test works on a fresh target (new file, new schema, new keyspace) and
 * closes what it opened. What only an SQL store has (its migration runner, the Kamailio tables the relay
 * reads) is not run on Cassandra, which creates its tables IF NOT EXISTS and holds subscribers in a table of
 * its own.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { computeHa1 } from '../../src/auth/digest.js';
import { openSqlCredentialStore } from '../../src/credentials/sql/index.js';
import {
  type Binding,
  bindingKey,
  DuplicateSubscriberError,
  InvalidInputError,
  openStore,
  SchemaVersionError,
  type Store,
  StoreError,
} from '../../src/store/index.js';
import type { Migration } from '../../src/store/migrations.js';
import type { ConformanceBackend, StoreTarget } from './backends.js';
import { fullBinding, makeBinding, T0 } from './bindings.js';
import { digestLogin } from './digest-login.js';
import { runTypeScript } from './processes.js';
import { md5 } from '../support/md5.js';
import { PROCESS_START_MS } from '../support/wait.js';

const LATEST_VERSION = 7;
const ALL_VERSIONS = [1, 2, 3, 4, 5, 6, 7];
// The whole suite of one backend, child processes included (each may take PROCESS_START_MS on a loaded machine).
const TIMEOUT_MS = 600_000;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function testMigration(version: number, table: string, sql?: string): Migration {
  return {
    version,
    description: `conformance step ${version}`,
    // No IF NOT EXISTS: running a step twice fails, which is what the tests look for.
    statements: (t) => [sql ?? `CREATE TABLE ${t(table)} (x INTEGER)`],
  };
}

export interface ConformanceOptions {
  /** false: the backend is not SQL (no migration runner, no subscriber table for the relay). Default true. */
  readonly sql?: boolean;
  /**
   * Upserts of the multi-process race (default 600): each is a lightweight transaction of four round trips
   * on Cassandra, where 600 take half a minute on a loaded machine.
   */
  readonly raceWrites?: number;
  /** Bounds the whole suite (a Cassandra keyspace takes seconds to create). Default 5 min: a loaded machine. */
  readonly timeoutMs?: number;
}

export function runConformanceSuite(
  name: string,
  open: () => Promise<ConformanceBackend>,
  options: ConformanceOptions = {},
): void {
  // The SQL-only parts are not registered at all on another store: they do not apply there, and a skip
  // would have to be listed as expected in CI (scripts/run-tests.mjs).
  const sql = options.sql !== false;
  describe(`store conformance: ${name}`, { timeout: options.timeoutMs ?? TIMEOUT_MS }, () => {
    let backend: ConformanceBackend;

    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    async function fresh(t: TestContext): Promise<{ target: StoreTarget; store: Store }> {
      const target = await backend.fresh();
      const store = await openStore(target.uri);
      t.after(async () => {
        await store.close();
        await backend.done(target);
      });
      return { target, store };
    }

    async function versions(target: StoreTarget): Promise<number[]> {
      const rows = await target.query(
        `SELECT version FROM ${target.table('missive_schema')} ORDER BY version`,
      );
      return rows.map((row) => Number(row.version));
    }

    if (sql)
      describe('schema migrations', () => {
        it('creates the tables at the latest version and records every step', async (t) => {
          const { target, store } = await fresh(t);
          assert.equal(store.schemaVersion, LATEST_VERSION);
          assert.deepEqual(await versions(target), ALL_VERSIONS);
          for (const table of [
            'subscriber',
            'missive_location',
            'missive_journal',
            'missive_journal_account',
            'missive_journal_unread',
            'missive_storage_account',
            'missive_public_key',
            'missive_push_token',
            'missive_instance',
            'missive_cluster_notice',
          ])
            assert.ok(await target.tableExists(table), table);
        });

        it("records the subscriber table's version where Kamailio's auth_db checks it", async (t) => {
          const { target } = await fresh(t);
          const rows = await target.query(
            `SELECT table_version FROM ${target.table('version')} WHERE table_name = ?`,
            ['subscriber'],
          );
          assert.deepEqual(
            rows.map((row) => Number(row.table_version)),
            [7],
          );
        });

        it('is idempotent: reopening applies nothing and keeps the data', async (t) => {
          const { target, store } = await fresh(t);
          await store.subscribers.add('alice', 'example.com', 'pw1');
          await store.close();
          const again = await openStore(target.uri);
          t.after(() => again.close());
          assert.equal(again.schemaVersion, LATEST_VERSION);
          assert.deepEqual(await versions(target), ALL_VERSIONS);
          assert.equal((await again.subscribers.get('alice', 'example.com'))?.username, 'alice');
        });

        it('migrates a new database once when two stores open it together', async () => {
          const target = await backend.fresh();
          const stores = await Promise.all([
            openStore(target.uri),
            openStore(target.uri),
            openStore(target.uri),
          ]);
          await Promise.all(stores.map((store) => store.close()));
          assert.deepEqual(await versions(target), ALL_VERSIONS);
        });

        it('refuses a database migrated by a newer missive, and leaves it alone', async (t) => {
          const { target, store } = await fresh(t);
          await store.subscribers.add('alice', 'example.com', 'pw1');
          await store.close();
          await target.query(
            `INSERT INTO ${target.table('missive_schema')} (version, description) VALUES (?, ?)`,
            [LATEST_VERSION + 1, 'from the future'],
          );
          await assert.rejects(openStore(target.uri), (error: unknown) => {
            assert.ok(error instanceof SchemaVersionError);
            assert.equal(error.found, LATEST_VERSION + 1);
            assert.equal(error.known, LATEST_VERSION);
            return true;
          });
          assert.deepEqual(await versions(target), [...ALL_VERSIONS, LATEST_VERSION + 1]);
          const rows = await target.query(`SELECT username FROM ${target.table('subscriber')}`);
          assert.deepEqual(
            rows.map((row) => row.username),
            ['alice'],
          );
        });

        it('applies only the missing steps, in order', async () => {
          const target = await backend.fresh();
          assert.equal(await target.migrate([testMigration(1, 'conf_a')]), 1);
          // Step 1 would fail if it ran again (no IF NOT EXISTS), and step 3 needs step 2's table.
          const steps = [
            testMigration(1, 'conf_a'),
            testMigration(2, 'conf_b'),
            testMigration(3, 'conf_b', `INSERT INTO ${target.table('conf_b')} (x) VALUES (3)`),
          ];
          assert.equal(await target.migrate(steps), 3);
          assert.deepEqual(await versions(target), [1, 2, 3]);
          assert.equal(await target.migrate(steps), 3);
          const rows = await target.query(`SELECT x FROM ${target.table('conf_b')}`);
          assert.deepEqual(
            rows.map((row) => Number(row.x)),
            [3],
          );
        });

        it('rolls every step back when one fails', async () => {
          const target = await backend.fresh();
          await target.migrate([testMigration(1, 'conf_a')]);
          const steps = [
            testMigration(1, 'conf_a'),
            testMigration(2, 'conf_b'),
            testMigration(3, 'conf_c', 'THIS IS NOT SQL'),
          ];
          await assert.rejects(target.migrate(steps), StoreError);
          assert.deepEqual(await versions(target), [1]);
          assert.equal(await target.tableExists('conf_b'), false);
        });
      });

    describe('subscribers', () => {
      it('stores the Kamailio/OpenSIPS hashes and, by default, no password', async (t) => {
        const { target, store } = await fresh(t);
        const added = await store.subscribers.add('alice', 'example.com', 'Secret#1');
        const rows = await target.query(
          `SELECT username, domain, password, ha1, ha1b, ha1_sha256 FROM ${target.table(target.subscriberTable)}`,
        );
        assert.deepEqual(rows, [
          {
            username: 'alice',
            domain: 'example.com',
            password: null,
            ha1: md5('alice:example.com:Secret#1'),
            ha1b: md5('alice@example.com:example.com:Secret#1'),
            ha1_sha256: sha256('alice:example.com:Secret#1'),
          },
        ]);
        assert.equal(added.ha1, computeHa1('MD5', 'alice', 'example.com', 'Secret#1'));
        assert.equal(added.hasCleartextPassword, false);
        assert.deepEqual(await store.subscribers.get('alice', 'example.com'), added);
      });

      it('stores the password in clear only when asked', async (t) => {
        const { target, store } = await fresh(t);
        const added = await store.subscribers.add('bob', 'example.com', 'bobpw', { storeCleartext: true });
        assert.equal(added.hasCleartextPassword, true);
        const rows = await target.query(`SELECT password FROM ${target.table(target.subscriberTable)}`);
        assert.deepEqual(rows, [{ password: 'bobpw' }]);
        assert.equal((await store.subscribers.get('bob', 'example.com'))?.hasCleartextPassword, true);
      });

      it('lower-cases the domain (also in the hashes) and keeps the username case', async (t) => {
        const { store } = await fresh(t);
        const added = await store.subscribers.add('Alice', 'Example.COM', 'pw');
        assert.equal(added.domain, 'example.com');
        assert.equal(added.ha1, md5('Alice:example.com:pw'));
        assert.equal((await store.subscribers.get('Alice', 'EXAMPLE.com'))?.username, 'Alice');
        assert.equal(await store.subscribers.get('alice', 'example.com'), undefined);
        await store.subscribers.add('alice', 'example.com', 'pw2');
        assert.equal((await store.subscribers.list()).length, 2);
      });

      it('refuses a duplicate, also when adds race and when only the domain case differs', async (t) => {
        const { store } = await fresh(t);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => store.subscribers.add('carol', 'example.com', `pw${i}`)),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const result of results.filter((r) => r.status === 'rejected')) {
          assert.ok(result.reason instanceof DuplicateSubscriberError, String(result.reason));
        }
        await assert.rejects(store.subscribers.add('carol', 'EXAMPLE.COM', 'x'), DuplicateSubscriberError);
        assert.equal((await store.subscribers.list()).length, 1);
      });

      it('rejects malformed names and passwords before writing anything', async (t) => {
        const { store } = await fresh(t);
        const bad: [string, string, string][] = [
          ['', 'example.com', 'pw'],
          ['al ice', 'example.com', 'pw'],
          ['al\tice', 'example.com', 'pw'],
          ['alice\u0000', 'example.com', 'pw'],
          ['al@ice', 'example.com', 'pw'],
          ['al:ice', 'example.com', 'pw'],
          ['a'.repeat(65), 'example.com', 'pw'],
          ['alice', '', 'pw'],
          ['alice', 'exa mple.com', 'pw'],
          ['alice', 'example.com\n', 'pw'],
          ['alice', 'example..com', 'pw'],
          ['alice', `${'d'.repeat(61)}.com`, 'pw'],
          ['alice', 'example.com', ''],
          ['alice', 'example.com', 'pw\r'],
          ['alice', 'example.com', 'p'.repeat(129)],
        ];
        for (const [username, domain, password] of bad) {
          await assert.rejects(
            store.subscribers.add(username, domain, password),
            InvalidInputError,
            JSON.stringify([username, domain, password]),
          );
        }
        await assert.rejects(
          store.subscribers.add('alice', 'example.com', 'p'.repeat(65), { storeCleartext: true }),
          InvalidInputError,
        );
        assert.deepEqual(await store.subscribers.list(), []);
      });

      it('setPassword replaces the hashes and drops a cleartext password unless asked', async (t) => {
        const { target, store } = await fresh(t);
        await store.subscribers.add('dave', 'example.com', 'old', { storeCleartext: true });
        assert.equal(await store.subscribers.setPassword('dave', 'Example.com', 'new'), true);
        const changed = await store.subscribers.get('dave', 'example.com');
        assert.equal(changed?.ha1, md5('dave:example.com:new'));
        assert.equal(changed.ha1b, md5('dave@example.com:example.com:new'));
        assert.equal(changed.ha1Sha256, sha256('dave:example.com:new'));
        assert.equal(changed.hasCleartextPassword, false);
        assert.deepEqual(await target.query(`SELECT password FROM ${target.table(target.subscriberTable)}`), [
          { password: null },
        ]);
        await store.subscribers.setPassword('dave', 'example.com', 'newer', { storeCleartext: true });
        assert.deepEqual(await target.query(`SELECT password FROM ${target.table(target.subscriberTable)}`), [
          { password: 'newer' },
        ]);
        assert.equal(await store.subscribers.setPassword('nobody', 'example.com', 'x'), false);
      });

      it('remove reports whether there was such a subscriber', async (t) => {
        const { store } = await fresh(t);
        await store.subscribers.add('erin', 'example.com', 'pw');
        await store.subscribers.add('erin', 'other.org', 'pw');
        assert.equal(await store.subscribers.remove('erin', 'EXAMPLE.COM'), true);
        assert.equal(await store.subscribers.remove('erin', 'example.com'), false);
        assert.equal(await store.subscribers.get('erin', 'example.com'), undefined);
        assert.equal((await store.subscribers.get('erin', 'other.org'))?.domain, 'other.org');
      });

      it('lists by domain then username, or one domain', async (t) => {
        const { store } = await fresh(t);
        for (const [username, domain] of [
          ['zed', 'b.org'],
          ['amy', 'b.org'],
          ['zed', 'a.org'],
          ['bob', 'a.org'],
        ] as const) {
          await store.subscribers.add(username, domain, 'pw');
        }
        const all = await store.subscribers.list();
        assert.deepEqual(
          all.map((s) => `${s.username}@${s.domain}`),
          ['bob@a.org', 'zed@a.org', 'amy@b.org', 'zed@b.org'],
        );
        const one = await store.subscribers.list('B.org');
        assert.deepEqual(
          one.map((s) => s.username),
          ['amy', 'zed'],
        );
        assert.deepEqual(await store.subscribers.list('c.org'), []);
      });

      it('the CredentialStore view authenticates digests with MD5 and SHA-256', async (t) => {
        const { store } = await fresh(t);
        await store.subscribers.add('alice', 'example.com', 'Secret#1');
        const view = store.subscribers.credentials;
        assert.deepEqual(await view.lookup('alice', 'example.com'), {
          kind: 'ha1',
          ha1: { MD5: md5('alice:example.com:Secret#1'), 'SHA-256': sha256('alice:example.com:Secret#1') },
        });
        assert.equal(await digestLogin(view, 'alice', 'example.com', 'Secret#1', 'MD5'), 'success');
        assert.equal(await digestLogin(view, 'alice', 'example.com', 'Secret#1', 'SHA-256'), 'success');
        assert.equal(await digestLogin(view, 'alice', 'example.com', 'wrong', 'MD5'), 'Incorrect password');
        assert.equal(
          await digestLogin(view, 'alice', 'example.com', 'wrong', 'SHA-256'),
          'Incorrect password',
        );
        assert.equal(await digestLogin(view, 'mallory', 'example.com', 'x'), 'Username not found');
        // Names from the network that could never be stored are unknown users, not errors.
        assert.equal(await view.lookup('bad name', 'example.com'), undefined);
        assert.equal(await view.lookup('alice', 'bad domain'), undefined);
        await view.close(); // a view does not close the store
        assert.equal((await view.lookup('alice', 'example.com'))?.kind, 'ha1');
      });

      if (sql)
        it("the relay's SqlCredentialStore reads the same table and verifies the digest", async (t) => {
          const { target, store } = await fresh(t);
          await store.subscribers.add('alice', 'example.com', 'Secret#1');
          await store.subscribers.add('bob', 'example.com', 'bobpw', { storeCleartext: true });
          const ha1Relay = await openSqlCredentialStore({
            connection: target.relayConnection,
            table: target.relayTable,
            cleartextPasswords: false,
            ha1Sha256Column: 'ha1_sha256',
            timeoutMs: 5000,
          });
          t.after(() => ha1Relay.close());
          assert.equal(await digestLogin(ha1Relay, 'alice', 'example.com', 'Secret#1', 'MD5'), 'success');
          assert.equal(await digestLogin(ha1Relay, 'alice', 'example.com', 'Secret#1', 'SHA-256'), 'success');
          assert.equal(await digestLogin(ha1Relay, 'alice', 'example.com', 'nope'), 'Incorrect password');

          // msrprelay's default mode reads the password column: a subscriber without a cleartext password
          // is then unknown (NULL), never a user whose password is empty.
          const clearRelay = await openSqlCredentialStore({
            connection: target.relayConnection,
            table: target.relayTable,
            cleartextPasswords: true,
            timeoutMs: 5000,
          });
          t.after(() => clearRelay.close());
          assert.equal(await clearRelay.lookup('alice', 'example.com'), undefined);
          assert.equal(await digestLogin(clearRelay, 'alice', 'example.com', ''), 'Username not found');
          assert.equal(await digestLogin(clearRelay, 'bob', 'example.com', 'bobpw'), 'success');
        });
    });

    describe('locations', () => {
      const AOR = 'sip:alice@example.com';

      it('round-trips every field, and leaves absent optional fields absent', async (t) => {
        const { store } = await fresh(t);
        const full = fullBinding();
        const minimal = makeBinding({
          contact: 'sip:alice@198.51.100.1',
          source: { transport: 'udp', host: '198.51.100.1', port: 5060 },
        });
        assert.equal(await store.locations.upsert(full), 'stored');
        assert.equal(await store.locations.upsert(minimal), 'stored');
        const found = await store.locations.lookup(AOR, T0);
        assert.deepEqual(found, [minimal, full]); // q absent ranks as 1, above 0.7
      });

      it('keys a binding by its flow (instance + reg-id) when it has one, else by its contact', async (t) => {
        const { store } = await fresh(t);
        const instance = '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>';
        const flow1 = makeBinding({ instanceId: instance, regId: 1, contact: 'sip:a@192.0.2.1:1111' });
        await store.locations.upsert(flow1);
        // Same flow from a new address (NAT rebinding): replaces.
        await store.locations.upsert({
          ...flow1,
          contact: 'sip:a@192.0.2.1:2222',
          callId: 'new',
          updatedAt: T0 + 1,
        });
        // Another reg-id of the same instance: a second flow.
        await store.locations.upsert(
          makeBinding({ instanceId: instance, regId: 2, contact: 'sip:a@192.0.2.1:3333' }),
        );
        // Instance without reg-id: keyed by contact, so the same contact replaces…
        const plain = makeBinding({ instanceId: instance, contact: 'sip:a@192.0.2.1:4444' });
        await store.locations.upsert(plain);
        await store.locations.upsert({ ...plain, cseq: 2, q: 0.1 });
        // …and the same key under another AOR is another binding.
        await store.locations.upsert({ ...plain, aor: 'sip:bob@example.com' });
        const contacts = (await store.locations.lookup(AOR, T0)).map((b) => b.contact).sort();
        assert.deepEqual(contacts, ['sip:a@192.0.2.1:2222', 'sip:a@192.0.2.1:3333', 'sip:a@192.0.2.1:4444']);
        assert.equal(await store.locations.count(), 4);
        assert.deepEqual(bindingKey(flow1), { instanceId: instance, regId: 1 });
        assert.deepEqual(bindingKey(plain), { contact: 'sip:a@192.0.2.1:4444' });
      });

      it('refuses an update with the same Call-ID and a CSeq not higher (RFC 3261 §10.3)', async (t) => {
        const { store } = await fresh(t);
        const first = makeBinding({ callId: 'c1', cseq: 10 });
        assert.equal(await store.locations.upsert(first), 'stored');
        assert.equal(await store.locations.upsert({ ...first, cseq: 10, q: 0.5 }), 'stale');
        assert.equal(await store.locations.upsert({ ...first, cseq: 9, q: 0.5 }), 'stale');
        assert.equal((await store.locations.lookup(AOR, T0))[0]?.q, undefined);
        assert.equal(await store.locations.upsert({ ...first, cseq: 11, q: 0.5 }), 'stored');
        // Another Call-ID (the device restarted) replaces whatever its CSeq.
        assert.equal(await store.locations.upsert({ ...first, callId: 'c2', cseq: 1 }), 'stored');
        // An expired binding counts as absent, even with the same Call-ID.
        const later = T0 + 7_200_000;
        assert.equal(
          await store.locations.upsert({
            ...first,
            callId: 'c2',
            cseq: 1,
            updatedAt: later,
            expiresAt: later + 60_000,
          }),
          'stored',
        );
        assert.deepEqual(
          (await store.locations.lookup(AOR, later)).map((b) => [b.callId, b.cseq]),
          [['c2', 1]],
        );
      });

      it('looks up live bindings only, by q then most recent, with times from the caller', async (t) => {
        const { store } = await fresh(t);
        const at = (n: number, q: number | undefined, expiresAt: number): Binding =>
          makeBinding({
            contact: `sip:alice@192.0.2.${n}`,
            updatedAt: n,
            expiresAt,
            ...(q === undefined ? {} : { q }),
          });
        // 1970 times: a store that consulted the real clock would find them all expired.
        await store.locations.upsert(at(1, 0.5, 5000));
        await store.locations.upsert(at(2, undefined, 5000));
        await store.locations.upsert(at(3, 1, 5000));
        await store.locations.upsert(at(4, 0.5, 5000));
        await store.locations.upsert(at(5, 0.9, 1000));
        await store.locations.upsert(at(6, 0, 1001));
        const order = async (now: number): Promise<string[]> =>
          (await store.locations.lookup(AOR, now)).map((b) => b.contact.slice(-1));
        assert.deepEqual(await order(999), ['3', '2', '5', '4', '1', '6']);
        assert.deepEqual(await order(1000), ['3', '2', '4', '1', '6']); // expiresAt == now is expired
        assert.deepEqual(await order(1001), ['3', '2', '4', '1']);
        assert.deepEqual(await order(5000), []);
        assert.deepEqual(await store.locations.lookup('sip:nobody@example.com', 0), []);
      });

      it('purgeExpired deletes what has expired and says how many; count counts what is stored', async (t) => {
        const { store } = await fresh(t);
        for (let i = 1; i <= 5; i++) {
          await store.locations.upsert(
            makeBinding({ contact: `sip:alice@192.0.2.${i}`, expiresAt: i * 1000, updatedAt: 0 }),
          );
        }
        assert.equal(await store.locations.count(), 5);
        assert.equal(await store.locations.purgeExpired(2000), 2);
        assert.equal(await store.locations.count(), 3);
        assert.equal(await store.locations.purgeExpired(2000), 0);
        assert.equal((await store.locations.lookup(AOR, 0)).length, 3);
        assert.equal(await store.locations.purgeExpired(Number.MAX_SAFE_INTEGER), 3);
        assert.equal(await store.locations.count(), 0);
      });

      it('removes one binding by key, or all of an AOR', async (t) => {
        const { store } = await fresh(t);
        const flow = makeBinding({ instanceId: '<urn:uuid:1>', regId: 1, contact: 'sip:a@192.0.2.1' });
        const plain = makeBinding({ contact: 'sip:a@192.0.2.2' });
        const bob = makeBinding({ aor: 'sip:bob@example.com' });
        for (const binding of [flow, plain, bob]) await store.locations.upsert(binding);
        assert.equal(await store.locations.remove(AOR, { instanceId: '<urn:uuid:1>', regId: 1 }), true);
        assert.equal(await store.locations.remove(AOR, { instanceId: '<urn:uuid:1>', regId: 1 }), false);
        assert.equal(await store.locations.remove(AOR, { contact: 'sip:a@192.0.2.1' }), false);
        assert.equal(await store.locations.upsert(flow), 'stored');
        assert.equal(await store.locations.removeAll(AOR), 2);
        assert.equal(await store.locations.removeAll(AOR), 0);
        assert.deepEqual((await store.locations.lookup('sip:bob@example.com', T0)).length, 1);
      });

      it('removes a flow binding only while it names that connection', async (t) => {
        const { store } = await fresh(t);
        const key = { instanceId: '<urn:uuid:1>', regId: 1 };
        const source = { transport: 'tcp', host: '192.0.2.10', port: 5060 } as const;
        const flow = makeBinding({ ...key, source: { ...source, connectionId: 'tcp-a-1' } });
        await store.locations.upsert(flow);
        assert.equal(await store.locations.removeFlow(AOR, key, 'tcp-a-2'), false);
        assert.equal(await store.locations.removeFlow(AOR, { contact: flow.contact }, 'tcp-a-1'), false);
        assert.equal(await store.locations.removeFlow(AOR, key, 'tcp-a-1'), true);
        assert.equal((await store.locations.lookup(AOR, T0)).length, 0);
        // Refreshed over another connection since: the old one closing leaves it alone.
        await store.locations.upsert({ ...flow, source: { ...source, connectionId: 'tcp-a-3' } });
        assert.equal(await store.locations.removeFlow(AOR, key, 'tcp-a-1'), false);
        assert.equal((await store.locations.lookup(AOR, T0)).length, 1);
      });

      it('concurrent upserts of one key leave one binding, with the highest CSeq', async (t) => {
        const { store } = await fresh(t);
        const cseqs = shuffled(Array.from({ length: 40 }, (_, i) => i + 1));
        const outcomes = await Promise.all(
          cseqs.map((cseq) =>
            store.locations.upsert(makeBinding({ callId: 'same', cseq, updatedAt: T0 + cseq })),
          ),
        );
        assert.ok(outcomes.includes('stored'));
        assert.equal(await store.locations.count(), 1);
        assert.equal((await store.locations.lookup(AOR, T0))[0]?.cseq, 40);
        // Different Call-IDs all win in turn: still one binding, holding one of them.
        const ids = Array.from({ length: 20 }, (_, i) => `id-${i}`);
        const written = await Promise.all(
          ids.map((callId) => store.locations.upsert(makeBinding({ callId, cseq: 100 }))),
        );
        assert.equal(await store.locations.count(), 1);
        const final = (await store.locations.lookup(AOR, T0))[0];
        assert.ok(final !== undefined && ids.includes(final.callId), final?.callId);
        assert.ok(written.filter((o) => o === 'stored').length >= 1);
      });

      it('concurrent upserts of one key from several processes keep the highest CSeq', async (t) => {
        const { target, store } = await fresh(t);
        const processes = 3;
        const last = options.raceWrites ?? 600;
        const ready = new Set<number>();
        const stdins: NodeJS.WritableStream[] = [];
        const runs = Array.from({ length: processes }, (_, i) =>
          runTypeScript(
            'test/store/fixtures/upsert-race.ts',
            [target.uri, AOR, String(i + 1), String(processes), String(last)],
            {
              timeoutMs: 120_000,
              onStdout(chunk, stdin) {
                if (!chunk.includes('ready') || ready.has(i)) return;
                ready.add(i);
                stdins.push(stdin);
                if (ready.size === processes) for (const input of stdins) input.end('go\n');
              },
            },
          ),
        );
        const results = await Promise.all(runs);
        let stored = 0;
        let stale = 0;
        for (const result of results) {
          assert.equal(result.code, 0, result.stderr);
          const counts = JSON.parse(result.stdout.split('\n').filter(Boolean).at(-1) ?? '{}') as {
            stored: number;
            stale: number;
          };
          stored += counts.stored;
          stale += counts.stale;
        }
        assert.equal(stored + stale, last);
        assert.equal(await store.locations.count(), 1);
        assert.equal((await store.locations.lookup(AOR, T0))[0]?.cseq, last);
        t.diagnostic(`${stored} stored, ${stale} refused as stale`);
      });

      it('rejects malformed bindings without writing', async (t) => {
        const { store } = await fresh(t);
        const base = makeBinding();
        const bad: Binding[] = [
          { ...base, aor: '' },
          { ...base, contact: '' },
          { ...base, contact: 'sip:a@b\r\nX: y' },
          { ...base, regId: 0 },
          { ...base, regId: 2 ** 31 },
          { ...base, regId: 1.5 },
          { ...base, q: 1.5 },
          { ...base, q: -0.1 },
          { ...base, q: Number.NaN },
          { ...base, expiresAt: Number.NaN },
          { ...base, expiresAt: 1.5 },
          { ...base, updatedAt: -1 },
          { ...base, cseq: -1 },
          { ...base, cseq: 2 ** 32 },
          { ...base, callId: '' },
          { ...base, path: ['<sip:p;lr>', ''] },
          { ...base, source: { ...base.source, port: 0 } },
          { ...base, source: { ...base.source, port: 65536 } },
          { ...base, source: { ...base.source, host: '' } },
          { ...base, source: { ...base.source, transport: 'sctp' as 'udp' } },
          { ...base, push: { provider: 'apns', prid: '', extra: {} } },
          { ...base, push: { provider: 'apns', prid: 'x', extra: { k: 'v\u0000' } } },
        ];
        for (const binding of bad) {
          await assert.rejects(store.locations.upsert(binding), InvalidInputError, JSON.stringify(binding));
        }
        await assert.rejects(store.locations.lookup(AOR, Number.NaN), InvalidInputError);
        await assert.rejects(store.locations.purgeExpired(-5), InvalidInputError);
        assert.equal(await store.locations.count(), 0);
      });
    });

    describe('durability and lifecycle', () => {
      it('a write that resolved survives the writer being killed (SIGKILL) right after', async () => {
        const target = await backend.fresh();
        const result = await runTypeScript(
          'test/store/fixtures/write-then-die.ts',
          [target.uri, 'frank', 'example.com', 'frankpw', 'sip:frank@example.com'],
          { timeoutMs: PROCESS_START_MS },
        );
        assert.equal(result.signal, 'SIGKILL', result.stderr);
        assert.equal(result.stdout, 'written\n');
        const store = await openStore(target.uri);
        try {
          assert.equal(
            (await store.subscribers.get('frank', 'example.com'))?.ha1,
            md5('frank:example.com:frankpw'),
          );
          assert.equal((await store.locations.lookup('sip:frank@example.com', T0)).length, 1);
        } finally {
          await store.close();
        }
      });

      it('another process reads a write as soon as it resolved, while the store stays open', async (t) => {
        const { target, store } = await fresh(t);
        assert.equal(await target.readInOtherProcess('gina', 'example.com'), undefined);
        await store.subscribers.add('gina', 'example.com', 'ginapw');
        assert.deepEqual(await target.readInOtherProcess('gina', 'example.com'), {
          ha1: md5('gina:example.com:ginapw'),
          password: null,
        });
        await store.subscribers.setPassword('gina', 'example.com', 'changed');
        assert.equal(
          (await target.readInOtherProcess('gina', 'example.com'))?.ha1,
          md5('gina:example.com:changed'),
        );
      });

      it('close is idempotent, and later operations reject with StoreError', async () => {
        const target = await backend.fresh();
        const store = await openStore(target.uri);
        await store.close();
        await store.close();
        await assert.rejects(store.subscribers.list(), StoreError);
        await assert.rejects(store.subscribers.add('h', 'example.com', 'pw'), StoreError);
        await assert.rejects(store.locations.count(), StoreError);
        await assert.rejects(store.locations.upsert(makeBinding()), StoreError);
      });
    });
  });
}
