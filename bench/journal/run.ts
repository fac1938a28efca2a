/**
 * `npm run bench:journal`: the message journal on SQLite, PostgreSQL and Cassandra. Appends (one at a time, several in
 * flight, batched) and the newest 100 entries of an account with 1,000,000 entries through the store API,
 * against the full scan of the same account that the reference does. Writes the journal section of
 * BENCHMARKS.md (full runs).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeCursor } from '../../src/store/index.js';
import { type Backend, type Options, parseOptions } from './options.js';
import { type BackendResult, loadAverage, renderSection } from './report.js';
import { writeBenchmarkSection } from '../benchmarks-section.js';
import { elapsedMs, median, percentile, summarize } from './stats.js';
import { openTarget } from './targets.js';
import { APPEND_SHAPE, appendConcurrently, appendInBatches, appendOneByOne, perCall } from './workloads.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIG = 'big@example.com';
const OTHER_ACCOUNTS = 100;

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** One warm-up run, then `runs` measured ones. */
async function measure(label: string, runs: number, run: () => Promise<number>): Promise<number[]> {
  await run();
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await run());
  log(`  ${label}: median ${median(values).toFixed(3)} (${values.map((v) => v.toFixed(3)).join(', ')})`);
  return values;
}

async function benchmark(
  backend: Backend,
  options: Options,
  calls: number,
  otherEntries: number,
): Promise<BackendResult> {
  const target = await openTarget(backend, options);
  log(`${target.name}: ${target.settings}`);
  try {
    const { store } = target;
    const base = Date.now() - 30 * 24 * 3600 * 1000;
    const loadStart = process.hrtime.bigint();
    await target.load({ account: BIG, entries: options.entries, start: base });
    for (let k = 0; k < OTHER_ACCOUNTS; k++) {
      await target.load({ account: `other${k}@example.com`, entries: otherEntries, start: base });
    }
    const loadSeconds = elapsedMs(loadStart) / 1000;
    log(
      `  loaded ${options.entries.toLocaleString('en-US')} + ${OTHER_ACCOUNTS} × ${otherEntries} entries in ${loadSeconds.toFixed(1)} s`,
    );
    const plan = await target.plan(BIG);
    log(`  plan: ${plan}`);

    // The answers are checked once, so that a fast wrong answer cannot pass for a result.
    const newest = await store.journal.latest(BIG, 100);
    if (
      newest.entries.length !== 100 ||
      newest.entries.at(-1)?.messageId !== `m-${options.entries}` ||
      !newest.hasMore
    ) {
      throw new Error(`${target.name}: latest() did not return the newest 100 entries`);
    }
    if ((await target.fullScan(BIG, 100)) !== 100)
      throw new Error(`${target.name}: the full scan kept no 100 entries`);

    const now = Date.now();
    const appendSingle = await measure('appends/s one at a time', options.runs, () =>
      appendOneByOne(store, options.appends, now),
    );
    const appendConcurrent = await measure(
      `appends/s ${APPEND_SHAPE.concurrency} in flight`,
      options.runs,
      () => appendConcurrently(store, options.appends, now),
    );
    const appendBatch = await measure(`appends/s batches of ${APPEND_SHAPE.batch}`, options.runs, () =>
      appendInBatches(store, options.appends, now),
    );
    const latestCalls: number[] = [];
    const latest = await measure('latest(100) ms', options.runs, async () => {
      const times = await perCall(calls, () => store.journal.latest(BIG, 100));
      latestCalls.push(...times);
      return median(times);
    });
    const middle = Math.floor(options.entries / 2);
    const next = await measure('after(cursor, 100) ms', options.runs, async () =>
      median(
        await perCall(calls, (i) =>
          store.journal.after(BIG, encodeCursor(middle + ((i * 7919) % middle)), 100),
        ),
      ),
    );
    const scan = await measure('full scan ms', Math.min(options.runs, 3), async () => {
      const start = process.hrtime.bigint();
      await target.fullScan(BIG, 100);
      return elapsedMs(start);
    });
    return {
      name: target.name,
      settings: target.settings,
      loadSeconds,
      plan,
      appendSingle: summarize(appendSingle),
      appendConcurrent: summarize(appendConcurrent),
      appendBatch: summarize(appendBatch),
      latest: summarize(latest),
      latestP95: percentile(latestCalls, 95),
      next: summarize(next),
      scan: summarize(scan),
    };
  } finally {
    await target.close();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const start = process.hrtime.bigint();
  const loadAtStart = loadAverage();
  const calls = options.quick ? 100 : 200;
  const otherEntries = Math.max(100, Math.round(options.entries / 1000));
  log(
    `${options.quick ? 'quick' : 'full'} run: ${options.entries.toLocaleString('en-US')} entries, ${options.runs} runs, ${options.appends} appends per run; ${options.backends.join(', ')}`,
  );
  const results: BackendResult[] = [];
  for (const backend of options.backends)
    results.push(await benchmark(backend, options, calls, otherEntries));
  const args = process.argv.slice(2);
  const section = renderSection({
    command: `npm run bench:journal${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    quick: options.quick,
    entries: options.entries,
    others: { accounts: OTHER_ACCOUNTS, entries: otherEntries },
    runs: options.runs,
    appends: options.appends,
    calls,
    shape: APPEND_SHAPE,
    results,
    startedAt,
    minutes: elapsedMs(start) / 60_000,
    loadAtStart,
    loadAtEnd: loadAverage(),
  });
  process.stdout.write(`${section}\n`);
  if (options.write) {
    writeBenchmarkSection(join(REPO_ROOT, 'BENCHMARKS.md'), section);
    log('wrote the journal section of BENCHMARKS.md');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
