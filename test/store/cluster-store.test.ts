// Several instances on one store (docs/scaling.md): the binding's holder on every backend, and the
// ClusterStore on PostgreSQL and Cassandra (instances and their heartbeats, a dead instance's bindings
// removed, notices in order to every listener and after a restart of the listener), on a fresh schema or
// keyspace per test; then what only Cassandra's polling listener has to get right (notices that land late,
// several writers at once, a bounded record of what was handed over).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import type { ClusterListener, ClusterNotice, ClusterStore } from '../../src/store/cluster/cluster-store.js';
import { LATE_MS, type NoticePosition } from '../../src/store/cassandra/notice-poller.js';
import { insertNotices } from '../../src/store/postgres/cluster.js';
import type { Transaction } from '../../src/store/postgres/transaction.js';
import { type Clock, systemClock } from '../../src/time/clock.js';
import { type ConformanceBackend, POSTGRES_URI, postgresBackend, sqliteBackend } from './backends.js';
import { cassandraBackend } from './cassandra-backend.js';
import { makeBinding, T0 } from './bindings.js';
import { waitFor } from '../support/wait.js';
import pg from 'pg';

/**
 * The present stands where a test puts it (T0 unless moved), whatever the machine's load; timers run, so
 * that Cassandra's listeners poll. PostgreSQL's listeners have no use for a clock.
 */
class StillClock implements Clock {
  time = T0;
  now(): number {
    return this.time;
  }
  schedule(ms: number, callback: () => void): ReturnType<Clock['schedule']> {
    return systemClock.schedule(ms, callback);
  }
}

const clusterOf = (store: Store): ClusterStore => {
  assert.ok(store.cluster !== undefined);
  return store.cluster;
};

for (const [name, backendOf] of [
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
  ['Cassandra', cassandraBackend],
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

for (const [name, backendOf, purgedByTtl] of [
  ['PostgreSQL', postgresBackend, false],
  ['Cassandra', cassandraBackend, true],
] as const)
  describe(`${name} cluster store`, { timeout: 300_000 }, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await backendOf();
    });
    after(() => backend.close());

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
        // Registered through the dead one, then (a later CSeq) through a live one: the live one's now.
        await store.locations.upsert(makeBinding({ holder: 'dead', aor: 'sip:grace@example.com' }));
        await store.locations.upsert(makeBinding({ holder: 'live', aor: 'sip:grace@example.com', cseq: 2 }));
        // Through an edge proxy: reachable from any instance, so kept.
        await store.locations.upsert(
          makeBinding({ holder: 'dead', aor: 'sip:frank@example.com', path: ['<sip:edge.example.com;lr>'] }),
        );

        const dead = await cluster.removeDead(T0 + 10_000, 'self');
        assert.deepEqual(dead, { instances: ['dead'], bindings: 2 });
        assert.deepEqual((await cluster.instances()).map((i) => i.id).sort(), ['live', 'self']);
        assert.equal(await store.locations.count(), 5);
        assert.deepEqual(await store.locations.lookup('sip:alice@example.com', T0), []);
        assert.equal((await store.locations.lookup('sip:bob@example.com', T0)).length, 1);
        assert.equal((await store.locations.lookup('sip:grace@example.com', T0))[0]?.holder, 'live');
        assert.deepEqual(await cluster.removeDead(T0 + 10_000, 'self'), { instances: [], bindings: 0 });
      } finally {
        await store.close();
      }
    });

    it('hands every notice, in order, to every listener, and a listener started again reads on from where it was', async () => {
      const uri = (await backend.fresh()).uri;
      const clock = new StillClock();
      const one = await openStore(uri, { clock });
      const two = await openStore(uri, { clock });
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

        // Cassandra's notices go by their TTL (below); PostgreSQL's by this purge.
        assert.equal(await clusterOf(one).purgeNotices(T0 + 100), purgedByTtl ? 0 : 21);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });

describe('Cassandra cluster notices, polled', { timeout: 300_000 }, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await cassandraBackend();
  });
  after(() => backend.close());

  const listen = async (store: Store, seen: ClusterNotice[]): Promise<ClusterListener<NoticePosition>> =>
    (await clusterOf(store).listen(undefined, (notice) =>
      seen.push(notice),
    )) as ClusterListener<NoticePosition>;
  const payloads = (seen: readonly ClusterNotice[]): string[] => seen.map((notice) => notice.payload);

  it('hands over once a notice that lands late with an earlier time, and forgets what fell behind the window', async () => {
    const uri = (await backend.fresh()).uri;
    const clock = new StillClock();
    const reader = await openStore(uri, { clock });
    const writer = await openStore(uri, { clock });
    // Another instance, whose clock is behind.
    const behind = await openStore(uri, { clock });
    try {
      await clusterOf(writer).publish('writer', ['before'], T0 - 1000);
      const seen: ClusterNotice[] = [];
      const listener = await listen(reader, seen);
      await clusterOf(writer).publish('writer', ['first'], T0 + 1000);
      await waitFor(() => seen.length === 1, 'the first notice', { timeoutMs: 20_000 });
      // Stored after `first` was handed over, yet 5 s earlier by its writer's clock: still handed over.
      await clusterOf(behind).publish('behind', ['late'], T0 - 5000);
      await waitFor(() => seen.length === 2, 'the late notice', { timeoutMs: 20_000 });
      // Polls went on after the late one (this one came), and handed over nothing twice.
      await clusterOf(writer).publish('writer', ['after'], T0 + 1001);
      await waitFor(() => seen.length === 3, 'the notice after', { timeoutMs: 20_000 });
      assert.deepEqual(payloads(seen), ['first', 'late', 'after']);
      assert.deepEqual(
        seen.map((notice) => notice.origin),
        ['writer', 'behind', 'writer'],
      );

      // Time moves past the window: what fell behind it is forgotten, and read no more.
      clock.time = T0 + 3 * LATE_MS;
      await clusterOf(writer).publish('writer', ['later'], clock.time);
      await waitFor(() => seen.length === 4, 'the later notice', { timeoutMs: 20_000 });
      assert.deepEqual(payloads(seen), ['first', 'late', 'after', 'later']);
      assert.deepEqual([...listener.lastId.seen.values()], [T0 + 3 * LATE_MS]);
      await listener.stop();
    } finally {
      await Promise.all([reader.close(), writer.close(), behind.close()]);
    }
  });

  it('hands every notice of several writers at once, across a bucket boundary, to every listener once, each writer’s in order', async () => {
    const target = await backend.fresh();
    const clock = new StillClock();
    const stores = await Promise.all([1, 2, 3].map(() => openStore(target.uri, { clock })));
    try {
      const seenByOne: ClusterNotice[] = [];
      const seenByTwo: ClusterNotice[] = [];
      const listeners = [await listen(stores[0]!, seenByOne), await listen(stores[1]!, seenByTwo)];
      // T0 starts a bucket: each writer's notices straddle two partitions. One at a time, then batches of 5.
      const published = new Map<string, string[]>();
      await Promise.all(
        stores.map(async (store, w) => {
          const origin = `writer-${String(w)}`;
          const sent: string[] = [];
          published.set(origin, sent);
          for (let i = 0; i < 20; i++) {
            const batch =
              i < 10
                ? [`${origin} ${String(i)}`]
                : [0, 1, 2, 3, 4].map((j) => `${origin} ${String(i)}.${String(j)}`);
            await clusterOf(store).publish(origin, batch, T0 - 10 + i);
            sent.push(...batch);
          }
        }),
      );
      const total = [...published.values()].reduce((n, sent) => n + sent.length, 0);
      assert.equal(total, 3 * 60);
      await waitFor(() => seenByOne.length >= total && seenByTwo.length >= total, 'every notice at both', {
        timeoutMs: 60_000,
      });
      // One more, published last: once it is in, nothing came twice before it.
      await clusterOf(stores[2]!).publish('writer-2', ['last'], T0 + 100);
      await waitFor(
        () => seenByOne.at(-1)?.payload === 'last' && seenByTwo.at(-1)?.payload === 'last',
        'the last notice at both',
        { timeoutMs: 20_000 },
      );
      published.get('writer-2')?.push('last');
      for (const seen of [seenByOne, seenByTwo]) {
        assert.equal(seen.length, total + 1);
        for (const [origin, sent] of published)
          assert.deepEqual(payloads(seen.filter((notice) => notice.origin === origin)), sent, origin);
      }
      await Promise.all(listeners.map((listener) => listener.stop()));

      // Each row lives CLUSTER_NOTICE_TTL_S (600 s) at most, and then goes by itself.
      const ttls = await target.query(
        `SELECT TTL(payload) AS ttl FROM ${target.table('missive_cluster_notice')}`,
      );
      assert.equal(ttls.length, total + 1);
      for (const { ttl } of ttls) assert.ok(typeof ttl === 'number' && ttl > 0 && ttl <= 600, String(ttl));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

describe('PostgreSQL cluster notices, committed out of order', { timeout: 300_000 }, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await postgresBackend();
  });
  after(() => backend.close());

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
