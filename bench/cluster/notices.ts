/**
 * What passing account events between instances costs (docs/scaling.md): one process publishes N notices of
 * a typical sync event's size through the ClusterStore (PostgreSQL, or Cassandra), one write at a time as
 * StoreEventFanout does, while a second store (another instance's, in the same process) listens. Prints the
 * publisher's and the listener's CPU per notice (process.cpuUsage over the run, both in this process: their
 * sum) and the wall time until the listener has them all; medians of 5 runs. A fresh database (keyspace) per
 * run, dropped afterwards. With several publishers (other instances' stores, in the same process) each
 * publishes its share at once: on PostgreSQL they contend for the publish lock (src/store/postgres/cluster.ts).
 *
 *   node --import tsx bench/cluster/notices.ts [count] [events per write] [postgresql|cassandra] [publishers]
 */
import { openStore } from '../../src/store/index.js';
import { freshDatabase, freshKeyspace } from '../../test/support/cluster-instances.js';

const COUNT = Number(process.argv[2] ?? 2000);
const BATCH = Number(process.argv[3] ?? 1);
const BACKEND = process.argv[4] ?? 'postgresql';
const PUBLISHERS = Number(process.argv[5] ?? 1);
const RUNS = 5;
const PAYLOAD = JSON.stringify({
  kind: 'sync',
  account: 'alice@example.com',
  payload: {
    sylkrtc: 'account-event',
    account: 'alice@example.com',
    event: 'sync',
    type: 'message',
    action: 'add',
    content: { message_id: 'x'.repeat(36), content: 'y'.repeat(200), content_type: 'text/plain' },
  },
});

async function run(): Promise<{ cpuUs: number; wallMs: number }> {
  const database = await (BACKEND === 'cassandra' ? freshKeyspace() : freshDatabase());
  const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, () => openStore(database.uri)));
  const two = await openStore(database.uri);
  try {
    const listener = two.cluster;
    if (listener === undefined || publishers.some((store) => store.cluster === undefined))
      throw new Error('no cluster store');
    let seen = 0;
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    const listening = await listener.listen(undefined, () => {
      if (++seen === COUNT) done();
    });
    const cpu = process.cpuUsage();
    const start = performance.now();
    // As StoreEventFanout publishes: one write per event when they come one by one (BATCH=1), or every
    // event queued meanwhile in one write (BATCH>1).
    const share = Math.ceil(COUNT / PUBLISHERS);
    await Promise.all(
      publishers.map(async (store, p) => {
        const last = Math.min(COUNT, (p + 1) * share);
        for (let i = p * share; i < last; i += BATCH)
          await store.cluster?.publish(
            `p${String(p)}`,
            Array(Math.min(BATCH, last - i)).fill(PAYLOAD) as string[],
            Date.now(),
          );
      }),
    );
    await all;
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    await listening.stop();
    return { cpuUs: (used.user + used.system) / COUNT, wallMs };
  } finally {
    for (const store of publishers) await store.close();
    await two.close();
    await database.drop();
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const results = [];
for (let i = 0; i < RUNS; i++) results.push(await run());
const cpu = median(results.map((r) => r.cpuUs));
const wall = median(results.map((r) => r.wallMs));
process.stdout.write(
  `${BACKEND}: ${String(COUNT)} notices, ${String(BATCH)} per write, ${String(PUBLISHERS)} publisher(s), ${String(RUNS)} runs (medians): ` +
    `${cpu.toFixed(0)} µs CPU per notice (publisher + listener, Node side), ` +
    `${(wall / COUNT).toFixed(3)} ms wall per notice, ` +
    `${((COUNT * 1000) / wall).toFixed(0)} notices/s; load ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}\n`,
);
