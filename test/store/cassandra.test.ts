// What only the Cassandra store has, on the real node scripts/cassandra/node.sh runs: the reference's
// keyspace (sylk spec §3.11) read as SylkServer wrote it and written so that SylkServer reads it, the
// tables' types and TTLs, token rows that expire by themselves, and a node that is not there or stops answering.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CassandraJournalStore } from '../../src/store/cassandra/journal.js';
import { CassandraSession } from '../../src/store/cassandra/session.js';
import { parseCassandraUri } from '../../src/store/cassandra/uri.js';
import { generateApiToken, openStore, StoreError } from '../../src/store/index.js';
import type { ConformanceBackend } from './backends.js';
import { cassandraBackend } from './cassandra-backend.js';
import { startSilentRelay } from './silent-relay.js';
import { ALICE, BOB, incoming, T0 } from './journal-entries.js';
import { SYLKSERVER_TABLES } from './sylkserver-keyspace.js';

/**
 * A hang guard for the whole suite, not a bound on its speed: on a loaded 2-core machine (two suites side by
 * side) the Cassandra node took over 120 s for this suite.
 */
const TIMEOUT = { timeout: 600_000 };

async function listeningPort(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('Cassandra store', TIMEOUT, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await cassandraBackend();
  });
  after(async () => {
    await backend.close();
  });

  it('reads a keyspace SylkServer wrote, and writes what SylkServer reads', async (t) => {
    const target = await backend.fresh();
    const keyspace = target.table('x').split('.')[0]!;
    await target.query(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    for (const statement of SYLKSERVER_TABLES) {
      await target.query(statement.replace(/^CREATE TABLE /, `CREATE TABLE ${keyspace}.`));
    }
    // Rows as SylkServer writes them: a cleartext token with its 31-day TTL, silent as "1".
    await target.query(
      `INSERT INTO ${target.table('chat_accounts')} (account, api_token, last_login) VALUES (?, ?, ?) USING TTL 2678400`,
      [ALICE, 'legacy-cleartext-token', T0],
    );
    await target.query(
      `INSERT INTO ${target.table('public_key_by_account')} (account, public_key, created_at) VALUES (?, ?, ?)`,
      [ALICE, 'legacy key', T0 + 1],
    );
    await target.query(
      `INSERT INTO ${target.table('push_tokens')} (username, domain, device_id, app_id, background_token,
        device_token, platform, silent, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ['alice', 'example.com', 'dev1', 'com.agprojects.sylk-ios', 'bg', 'voip', 'ios', '1', 'Sylk/5'],
    );

    // An existing keyspace opens without create, and gains missive's own tables only.
    const store = await openStore(target.uri, { create: false });
    t.after(() => store.close());
    assert.equal(store.backend, 'cassandra');
    for (const table of ['missive_storage_account', 'missive_storage_account_token', 'missive_push_token']) {
      assert.ok(await target.tableExists(table), table);
    }
    assert.deepEqual(await store.storageAccounts.get(ALICE), { account: ALICE, lastLogin: T0 });
    // The reference's cleartext token is not an API token here: missive keeps hashes only.
    assert.equal(await store.storageAccounts.verifyToken(ALICE, 'legacy-cleartext-token', T0), false);
    assert.deepEqual(await store.publicKeys.get(ALICE), {
      account: ALICE,
      key: 'legacy key',
      updatedAt: T0 + 1,
    });
    assert.deepEqual(await store.pushTokens.list(ALICE), [
      {
        account: ALICE,
        appId: 'com.agprojects.sylk-ios',
        deviceId: 'dev1',
        token: 'voip',
        backgroundToken: 'bg',
        platform: 'ios',
        silent: true,
        userAgent: 'Sylk/5',
        updatedAt: 0,
      },
    ]);

    // What missive writes, in the reference's columns.
    await store.storageAccounts.touch(BOB, T0 + 2);
    await store.publicKeys.set(BOB, 'bob key', T0 + 3);
    await store.pushTokens.upsert({
      account: BOB,
      appId: 'com.agprojects.sylk',
      deviceId: 'dev2',
      token: 'fcm',
      platform: 'android',
      silent: false,
      updatedAt: T0 + 4,
    });
    const token = generateApiToken();
    await store.storageAccounts.setToken(BOB, token, T0 + 5);
    const [account] = await target.query(
      `SELECT account, api_token, last_login FROM ${target.table('chat_accounts')} WHERE account = ?`,
      [BOB],
    );
    assert.deepEqual(account, { account: BOB, api_token: null, last_login: new Date(T0 + 2) });
    const [key] = await target.query(
      `SELECT public_key, created_at FROM ${target.table('public_key_by_account')} WHERE account = ?`,
      [BOB],
    );
    assert.deepEqual(key, { public_key: 'bob key', created_at: new Date(T0 + 3) });
    const [push] = await target.query(
      `SELECT device_token, platform, silent, background_token FROM ${target.table('push_tokens')}
        WHERE username = ? AND domain = ? AND device_id = ? AND app_id = ?`,
      ['bob', 'example.com', 'dev2', 'com.agprojects.sylk'],
    );
    assert.deepEqual(push, { device_token: 'fcm', platform: 'android', silent: '0', background_token: null });
  });

  it("creates the reference's tables with their keys, column types and TTLs", async (t) => {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    t.after(() => store.close());
    const keyspace = target.table('x').split('.')[0]!;
    const columns = await target.query(
      'SELECT column_name, kind, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, 'chat_messages_by_timestamp'],
    );
    const byName = Object.fromEntries(
      columns.map((c) => [String(c.column_name), `${String(c.kind)} ${String(c.type)}`]),
    );
    assert.deepEqual(byName, {
      account: 'partition_key text',
      created_at: 'clustering timestamp',
      message_id: 'clustering text',
      contact: 'regular text',
      direction: 'regular text',
      content: 'regular text',
      content_type: 'regular text',
      disposition: 'regular list<text>',
      state: 'regular text',
      msg_timestamp: 'regular timestamp',
    });
    const tables = await target.query(
      'SELECT table_name, default_time_to_live, gc_grace_seconds FROM system_schema.tables WHERE keyspace_name = ?',
      [keyspace],
    );
    const ttl = Object.fromEntries(
      tables.map((row) => [String(row.table_name), [row.default_time_to_live, row.gc_grace_seconds]]),
    );
    assert.deepEqual(ttl.chat_messages_by_timestamp, [31_536_000, 345_600]);
    assert.deepEqual(ttl.chat_message_created_at_by_id, [31_536_000, 345_600]);
    assert.equal((ttl.chat_accounts as number[] | undefined)?.[0], 0);
    const pushKey = await target.query(
      'SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, 'push_tokens'],
    );
    const keys = pushKey
      .filter((c) => c.kind !== 'regular')
      .map((c) => `${String(c.kind)} ${String(c.column_name)}`);
    assert.deepEqual(keys.sort(), [
      'clustering app_id',
      'clustering device_id',
      'partition_key domain',
      'partition_key username',
    ]);
  });

  it('writes token rows with a TTL of the lifetime, so that expired tokens go by themselves', async (t) => {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    t.after(() => store.close());
    const token = generateApiToken();
    await store.storageAccounts.setToken(ALICE, token, Date.now(), 90_000);
    for (const table of ['missive_storage_account', 'missive_storage_account_token']) {
      const [row] = await target.query(`SELECT TTL(token_expires_at) AS ttl FROM ${target.table(table)}`);
      const ttl = Number(row?.ttl);
      assert.ok(ttl > 0 && ttl <= 90, `${table}: TTL ${String(row?.ttl)}`);
    }
  });

  it("applies the URI's consistency level: two replicas cannot answer on a single node", async (t) => {
    const target = await backend.fresh();
    const store = await openStore(`${target.uri}?consistency=two`);
    t.after(() => store.close());
    await assert.rejects(store.publicKeys.set(ALICE, 'key', T0), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /replica|Not enough|Cannot achieve consistency/i);
      return true;
    });
    const one = await openStore(`${target.uri}?consistency=one`);
    t.after(() => one.close());
    await one.publicKeys.set(ALICE, 'key', T0);
    assert.equal((await one.publicKeys.get(ALICE))?.key, 'key');
  });

  it('reads every page of a result: scans and purges see entries beyond the first page', async (t) => {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    t.after(() => store.close());
    for (let i = 0; i < 10; i++) await store.journal.append(ALICE, incoming(`p${i}`), T0 + i);
    // A session whose pages hold 3 rows, as an account of more than 5000 entries meets the default.
    const location = parseCassandraUri(target.uri);
    const session = await CassandraSession.connect(location, { timeoutMs: 5000, pageSize: 3 });
    t.after(() => session.close());
    const journal = new CassandraJournalStore(session, location.keyspace);
    assert.deepEqual(await journal.contentTypeCounts(ALICE), new Map([['text/plain', 10]]));
    assert.equal((await journal.history(ALICE, { since: T0 + 7, limit: 100 })).entries.length, 2);
    assert.equal(await journal.removeConversation(ALICE, BOB, { now: T0 }).then((r) => r.count), 10);
    assert.deepEqual(await journal.usage(ALICE), { entries: 0, contentBytes: 0 });
  });

  it('with create: false, refuses a keyspace that does not exist, and creates nothing', async () => {
    const target = await backend.fresh();
    await assert.rejects(openStore(target.uri, { create: false }), /no keyspace/);
    assert.equal(await target.tableExists('chat_accounts'), false);
  });

  it('after close, every operation rejects with StoreError', async () => {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    await store.close();
    await store.close();
    await assert.rejects(store.journal.append(ALICE, incoming('m'), T0), StoreError);
    await assert.rejects(store.storageAccounts.get(ALICE), StoreError);
    await assert.rejects(store.publicKeys.get(ALICE), StoreError);
    await assert.rejects(store.pushTokens.list(ALICE), StoreError);
    await assert.rejects(store.subscribers.get('alice', 'example.com'), StoreError);
    await assert.rejects(store.locations.lookup('sip:alice@example.com', T0), StoreError);
  });

  it('a request to a node that stops answering mid-session fails within the timeout, as a StoreError', async (t) => {
    const target = await backend.fresh();
    // Create the keyspace directly, then reach the node through a relay that can go silent.
    const direct = await openStore(target.uri);
    await direct.close();
    const relay = await startSilentRelay();
    t.after(() => relay.stop());
    const keyspace = target.table('x').split('.')[0]!;
    const store = await openStore(`cassandra://127.0.0.1:${relay.port}/${keyspace}`, {
      timeoutMs: 1500,
    });
    t.after(() => store.close());
    await store.publicKeys.set(ALICE, 'key', T0);
    assert.equal((await store.publicKeys.get(ALICE))?.key, 'key');
    relay.silence();
    const started = Date.now();
    await assert.rejects(store.publicKeys.get(ALICE), StoreError);
    await assert.rejects(store.journal.append(ALICE, incoming('m'), T0), StoreError);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
  });

  it('fails quickly when no node listens on the port', async () => {
    const server = createServer();
    const port = await listeningPort(server);
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    await assert.rejects(
      openStore(`cassandra://127.0.0.1:${port}/ks`, { timeoutMs: 2000 }),
      (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /cannot connect to Cassandra/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 10_000);
  });

  it('fails within the timeout when the node accepts but never answers', async (t) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    const port = await listeningPort(server);
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const started = Date.now();
    await assert.rejects(openStore(`cassandra://127.0.0.1:${port}/ks`, { timeoutMs: 1000 }), StoreError);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
    assert.ok(sockets.size > 0, 'the store connected to the silent node');
  });
});
