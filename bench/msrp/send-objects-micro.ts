/**
 * `node --import tsx bench/msrp/send-objects-micro.ts --baseline DIR [--rounds N]`: CPU time per relayed
 * SEND chunk of its transaction bookkeeping at 1 in flight — the SendTracker, the ForwardedSend and its
 * part, the pending entry and its timeout, its head written, its end-line armed, its 200 taken — in this
 * checkout and in another (DIR: a copy of a checkout, its TypeScript sources loaded through tsx), in one
 * process, alternating rounds, so that a loaded machine slows both alike; and the bytes each allocates per
 * chunk (growth of V8's new space over 1,000 chunks without a scavenge between), which no load changes.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import type * as Parser from '../../src/msrp/parser.js';
import type * as Headers from '../../src/msrp/headers.js';
import type { MsrpHead } from '../../src/msrp/message.js';
import type * as Checks from '../../src/msrp/relay/checks.js';
import type * as Forwarded from '../../src/msrp/relay/forwarded-paths.js';
import type * as Send from '../../src/msrp/relay/forwarded-send.js';
import type * as Pending from '../../src/msrp/relay/pending-sends.js';
import type * as Tracker from '../../src/msrp/relay/send-tracker.js';
import type * as Tids from '../../src/msrp/transaction-ids.js';
import type * as Clocks from '../../src/time/clock.js';
import type * as Deadlines from '../../src/time/deadline-queue.js';
import { MICRO_SEND_BYTES } from './micro-send.js';
import { median } from './stats.js';

interface Tree {
  readonly name: string;
  readonly chunk: () => void;
}

/** The relay's modules of the checkout at `root` (typed as this checkout's: the calls below are alike in both). */
async function load(name: string, root: string): Promise<Tree> {
  const from = <T>(path: string): Promise<T> => import(join(root, 'src', path)) as Promise<T>;
  const { MsrpParser } = await from<typeof Parser>('msrp/parser.ts');
  const { readPaths } = await from<typeof Checks>('msrp/relay/checks.ts');
  const { ForwardedPaths } = await from<typeof Forwarded>('msrp/relay/forwarded-paths.ts');
  const { ForwardedSend } = await from<typeof Send>('msrp/relay/forwarded-send.ts');
  const { SendTracker } = await from<typeof Tracker>('msrp/relay/send-tracker.ts');
  const { PendingSends } = await from<typeof Pending>('msrp/relay/pending-sends.ts');
  const { parseByteRange } = await from<typeof Headers>('msrp/headers.ts');
  const { TransactionIds } = await from<typeof Tids>('msrp/transaction-ids.ts');
  const { DeadlineQueue } = await from<typeof Deadlines>('time/deadline-queue.ts');
  const { systemClock } = await from<typeof Clocks>('time/clock.ts');
  let parsed: MsrpHead | undefined;
  new MsrpParser({ onHead: (h) => (parsed = h), onBody: () => {}, onEnd: () => {} }).feed(MICRO_SEND_BYTES);
  const head = parsed;
  const read = head === undefined ? undefined : readPaths(head, undefined);
  const range = parseByteRange('1-2048/2048');
  if (head === undefined || read?.kind !== 'ok' || range === undefined)
    throw new Error('the SEND did not parse');
  const paths = read.paths;
  const forwarded = ForwardedPaths.of(paths, undefined);
  const tids = new TransactionIds();
  const pending = new PendingSends({ reportSend: () => undefined }, new DeadlineQueue(systemClock), 30_000);
  const reportFrom = paths.to[0]?.text ?? '';
  return {
    name,
    chunk: () => {
      const tracker = new SendTracker(pending, paths.fromText, reportFrom, 'm42', range.total);
      const send = new ForwardedSend(tids.next(), forwarded, head, range, tracker, true);
      send.takeHead();
      send.partWritten();
      if (pending.take(send.tid) === undefined) throw new Error('not tracked');
    },
  };
}

const { values } = parseArgs({
  options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '15' } },
});
if (values.baseline === undefined) throw new Error('--baseline DIR is needed');
const rounds = Number(values.rounds);
const PER_ROUND = 100_000;
const trees = [
  await load('this checkout', join(import.meta.dirname, '..', '..')),
  await load('baseline', values.baseline),
];
function newSpaceUsed(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
}

/** Bytes allocated per chunk over `count` chunks; undefined when a scavenge emptied the new space meanwhile. */
function allocatedPerChunk(tree: Tree, count: number): number | undefined {
  const before = newSpaceUsed();
  for (let i = 0; i < count; i++) tree.chunk();
  const after = newSpaceUsed();
  return after > before ? (after - before) / count : undefined;
}

const samples = new Map(trees.map((tree) => [tree.name, { ns: [] as number[], bytes: [] as number[] }]));
for (let round = -2; round < rounds; round++) {
  for (const tree of round % 2 === 0 ? trees : [...trees].reverse()) {
    const start = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) tree.chunk();
    const used = process.cpuUsage(start);
    const bytes = allocatedPerChunk(tree, 1000);
    if (round < 0) continue;
    samples.get(tree.name)?.ns.push(((used.user + used.system) * 1000) / PER_ROUND);
    if (bytes !== undefined) samples.get(tree.name)?.bytes.push(bytes);
  }
}
for (const [name, { ns, bytes }] of samples) {
  process.stdout.write(
    `${name}: ${median(ns).toFixed(0)} ns CPU per chunk, ${median(bytes).toFixed(0)} bytes allocated per chunk (medians of ${rounds} rounds)\n`,
  );
}
process.exit(0); // the deadline queue's timer would keep the process 30 s
