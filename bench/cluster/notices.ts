/**
 * What passing account events between instances costs (docs/scaling.md): one process publishes N notices of
 * a typical sync event's size through the PostgreSQL ClusterStore, one at a time as StoreEventFanout does,
 * while a second store (another instance's, in the same process) listens. Prints the publisher's and the
 * listener's CPU per notice (process.cpuUsage over the run, both in this process: their sum) and the wall
 * time until the listener has them all; medians of 5 runs. A fresh schema per run, dropped afterwards. With
 * several publishers (other instances' stores, in the same process) each publishes its share at once: they
 * contend for the publish lock (src/store/postgres/cluster.ts).
 *
 *   node --import tsx bench/cluster/notices.ts [count] [events per write] [publishers]
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';

const ADMIN_URI = process.env.MISSIVE_TEST_POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const COUNT = Number(process.argv[2] ?? 2000);
const BATCH = Number(process.argv[3] ?? 1);
const PUBLISHERS = Number(process.argv[4] ?? 1);
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
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URI });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const uri = `${ADMIN_URI}${ADMIN_URI.includes('?') ? '&' : '?'}schema=${schema}`;
  const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, () => openStore(uri)));
  const two = await openStore(uri);
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
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const results = [];
for (let i = 0; i < RUNS; i++) results.push(await run());
const cpu = median(results.map((r) => r.cpuUs));
const wall = median(results.map((r) => r.wallMs));
process.stdout.write(
  `${String(COUNT)} notices, ${String(BATCH)} per write, ${String(PUBLISHERS)} publisher(s), ${String(RUNS)} runs (medians): ` +
    `${cpu.toFixed(0)} µs CPU per notice (publisher + listener, Node side), ` +
    `${(wall / COUNT).toFixed(3)} ms wall per notice, ` +
    `${((COUNT * 1000) / wall).toFixed(0)} notices/s; load ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}\n`,
);
