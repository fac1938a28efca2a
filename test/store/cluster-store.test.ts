// Several instances on one store (docs/scaling.md): the binding's holder on both SQL backends, and the
// PostgreSQL ClusterStore (instances and their heartbeats, a dead instance's bindings removed, notices in
// order to every listener and after a restart of the listener), on a fresh schema per test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import type { ClusterNotice, ClusterStore } from '../../src/store/cluster/cluster-store.js';
import { insertNotices } from '../../src/store/postgres/cluster.js';
import type { Transaction } from '../../src/store/postgres/transaction.js';
import { type ConformanceBackend, POSTGRES_URI, postgresBackend, sqliteBackend } from './backends.js';
import { makeBinding, T0 } from './bindings.js';
import { waitFor } from '../support/wait.js';
import pg from 'pg';

for (const [name, backendOf] of [
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
] as const) {
  describe(`binding holder: ${name}`, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await backendOf();
    });
    after(() => backend.close());

    it('stores and reads back the instance holding a binding, and none for a single instance', async () => {
      const store = await openStore((await backend.fresh()).uri);
      try {
        await store.locations.upsert(makeBinding({ holder: 'instance-a' }));
        await store.locations.upsert(makeBinding({ aor: 'sip:bob@example.com' }));
        const [held] = await store.locations.lookup('sip:alice@example.com', T0);
        assert.equal(held?.holder, 'instance-a');
        const [single] = await store.locations.lookup('sip:bob@example.com', T0);
        assert.ok(single !== undefined && !('holder' in single));
      } finally {
        await store.close();
      }
    });
  });
}

describe('PostgreSQL cluster store', () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await postgresBackend();
  });
  after(() => backend.close());

  const clusterOf = (store: Store): ClusterStore => {
    assert.ok(store.cluster !== undefined);
    return store.cluster;
  };

  it('records instances and their heartbeats', async () => {
    const store = await openStore((await backend.fresh()).uri);
    try {
      const cluster = clusterOf(store);
      await cluster.heartbeat({ id: 'a', address: 'sip:10.0.0.1:5060', heartbeatAt: T0 });
      await cluster.heartbeat({ id: 'b', address: 'sip:10.0.0.2:5060', heartbeatAt: T0 });
      await cluster.heartbeat({ id: 'a', address: 'sip:10.0.0.9:5060', heartbeatAt: T0 + 5000 });
      const instances = (await cluster.instances()).sort((x, y) => x.id.localeCompare(y.id));
      assert.deepEqual(instances, [
        { id: 'a', address: 'sip:10.0.0.9:5060', heartbeatAt: T0 + 5000 },
        { id: 'b', address: 'sip:10.0.0.2:5060', heartbeatAt: T0 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('removes the instances silent since the bound with the bindings they held (not those through a Path), never the caller or a live one', async () => {
    const store = await openStore((await backend.fresh()).uri);
    try {
      const cluster = clusterOf(store);
      await cluster.heartbeat({ id: 'dead', address: 'sip:10.0.0.1:5060', heartbeatAt: T0 });
      await cluster.heartbeat({ id: 'self', address: 'sip:10.0.0.2:5060', heartbeatAt: T0 });
      await cluster.heartbeat({ id: 'live', address: 'sip:10.0.0.3:5060', heartbeatAt: T0 + 30_000 });
      await store.locations.upsert(makeBinding({ holder: 'dead' }));
      await store.locations.upsert(makeBinding({ holder: 'dead', aor: 'sip:carol@example.com' }));
      await store.locations.upsert(makeBinding({ holder: 'live', aor: 'sip:bob@example.com' }));
      await store.locations.upsert(makeBinding({ holder: 'self', aor: 'sip:dave@example.com' }));
      await store.locations.upsert(makeBinding({ aor: 'sip:erin@example.com' }));
      // Through an edge proxy: reachable from any instance, so kept.
      await store.locations.upsert(
        makeBinding({ holder: 'dead', aor: 'sip:frank@example.com', path: ['<sip:edge.example.com;lr>'] }),
      );

      const dead = await cluster.removeDead(T0 + 10_000, 'self');
      assert.deepEqual(dead, { instances: ['dead'], bindings: 2 });
      assert.deepEqual((await cluster.instances()).map((i) => i.id).sort(), ['live', 'self']);
      assert.equal(await store.locations.count(), 4);
      assert.deepEqual(await store.locations.lookup('sip:alice@example.com', T0), []);
      assert.equal((await store.locations.lookup('sip:bob@example.com', T0)).length, 1);
      assert.deepEqual(await cluster.removeDead(T0 + 10_000, 'self'), { instances: [], bindings: 0 });
    } finally {
      await store.close();
    }
  });

  it('hands every notice, in order, to every listener, and a listener started again reads on from where it was', async () => {
    const uri = (await backend.fresh()).uri;
    const one = await openStore(uri);
    const two = await openStore(uri);
    try {
      const seenByOne: ClusterNotice[] = [];
      const seenByTwo: ClusterNotice[] = [];
      const listenerOne = await clusterOf(one).listen(undefined, (notice) => seenByOne.push(notice));
      let listenerTwo = await clusterOf(two).listen(undefined, (notice) => seenByTwo.push(notice));
      // One at a time, then a batch: the batch's notices keep their order too.
      for (let i = 0; i < 10; i++) await clusterOf(one).publish('one', [`payload ${String(i)}`], T0 + i);
      await clusterOf(one).publish(
        'one',
        Array.from({ length: 10 }, (_, i) => `payload ${String(i + 10)}`),
        T0 + 10,
      );
      await waitFor(() => seenByOne.length === 20 && seenByTwo.length === 20, 'twenty notices at both', {
        timeoutMs: 20_000,
      });
      for (const seen of [seenByOne, seenByTwo])
        assert.deepEqual(
          seen.map((notice) => notice.payload),
          Array.from({ length: 20 }, (_, i) => `payload ${String(i)}`),
        );
      assert.ok(seenByTwo.every((notice) => notice.origin === 'one'));

      // Two stops listening; what is published meanwhile reaches it when it listens again from its last id.
      const last = listenerTwo.lastId;
      await listenerTwo.stop();
      await clusterOf(one).publish('one', ['while away'], T0 + 100);
      listenerTwo = await clusterOf(two).listen(last, (notice) => seenByTwo.push(notice));
      await clusterOf(one).publish('one', ['after'], T0 + 101);
      await waitFor(() => seenByTwo.length === 22, 'the two later notices at two', { timeoutMs: 20_000 });
      assert.deepEqual(
        seenByTwo.slice(20).map((notice) => notice.payload),
        ['while away', 'after'],
      );
      await listenerOne.stop();
      await listenerTwo.stop();

      assert.equal(await clusterOf(one).purgeNotices(T0 + 100), 21);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it("hands over a notice whose transaction commits after a later one's (a sequence numbers inserts in the order they start, not the order they commit)", async () => {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    const held = new pg.Client({ connectionString: POSTGRES_URI });
    await held.connect();
    const seen: ClusterNotice[] = [];
    const listener = await clusterOf(store).listen(undefined, (notice) => seen.push(notice));
    try {
      // A publisher's transaction takes the lower id and stays open, as one slowed by its commit would.
      await held.query('BEGIN');
      await insertNotices(transactionOn(held), target.table('missive_cluster_notice'), 'held', ['first'], T0);
      const second = clusterOf(store).publish('one', ['second'], T0 + 1);
      await waitFor(
        async () => seen.length > 0 || (await publisherWaits(held)),
        'the second publish committed, or waiting for the first',
        { timeoutMs: 20_000 },
      );
      await held.query('COMMIT');
      await second;
      await waitFor(() => seen.length === 2, 'both notices', { timeoutMs: 20_000 });
      assert.deepEqual(
        seen.map((notice) => notice.payload),
        ['first', 'second'],
      );
    } finally {
      await listener.stop();
      await held.end();
      await store.close();
    }
  });
});

/** The store's Transaction over a plain client, for a transaction the test holds open. */
function transactionOn(client: pg.Client): Transaction {
  return {
    query: (text, values = []) => client.query({ text, values: [...values] }),
    arrays: async (text, values = []) =>
      (await client.query<unknown[]>({ text, values: [...values], rowMode: 'array' })).rows,
  };
}

/** Another session waits for an advisory lock (a publisher behind the open one). */
async function publisherWaits(client: pg.Client): Promise<boolean> {
  const result = await client.query(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> pg_backend_pid()",
  );
  return result.rows.length > 0;
}
