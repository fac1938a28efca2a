/**
 * `npm run bench:ws`: how many registered sylkRTC WebSocket clients one `missive serve` holds, the memory
 * each idle one costs, and the latency WebSocket → WebSocket of account-message at a fixed rate (issue 12).
 * The server runs alone on one core with its own data directory (SQLite); the clients run in forked
 * load-generator processes on the other core. Writes the WebSocket section of BENCHMARKS.md and a JSON file
 * of every run in bench/results/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/interop/harness/paths.js';
import { fdLimits, loadAverage, machineInfo } from '../msrp/machine.js';
import { parseOptions, type WsBenchOptions } from './options.js';
import { type CapacityRun, capacityRun, type LatencyRun, latencyRun } from './phases.js';
import { renderSection } from './report.js';
import { writeBenchmarkSection } from '../benchmarks-section.js';
import { BenchStore, fsyncRate, type StoreKind } from './bench-store.js';
import { type HeapGroup, heapGrowthOf } from './heap-summary.js';

const DOMAIN = 'bench.example';
/** Connections of the heap-snapshot run (the breakdown per connection does not need more). */
const SNAPSHOT_CONNECTIONS = 5000;
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function log(line: string): void {
  process.stderr.write(`[bench:ws ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<void> {
  let options: WsBenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    // The usage, or what to change in the options: no stack.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  const startedAt = new Date();
  const loadStart = loadAverage();
  const workDir = mkdtempSync(join(tmpdir(), 'missive-bench-ws-'));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const limits = fdLimits();
  // No run can hold more connections than the server's descriptors allow, so no more subscribers are made.
  const subscribers = Math.min(
    Math.max(
      options.phases.includes('capacity') ? options.connections : 0,
      options.phases.includes('latency') ? options.latencyConnections : 0,
    ),
    limits.hard,
  );
  const sqlite = new BenchStore('sqlite', dataDir);
  const stores = new Map<StoreKind, BenchStore>([['sqlite', sqlite]]);
  for (const kind of options.phases.includes('latency') ? options.latencyStores : []) {
    if (!stores.has(kind)) stores.set(kind, new BenchStore(kind, dataDir));
  }
  log(`work dir ${workDir}; creating ${subscribers.toLocaleString('en-US')} subscribers`);
  const createStart = performance.now();
  await sqlite.addSubscribers(DOMAIN, 0, subscribers);
  const createSeconds = (performance.now() - createStart) / 1000;
  log(`subscribers created in ${createSeconds.toFixed(1)} s`);
  for (const store of stores.values()) {
    if (store.kind !== 'sqlite')
      await store.addSubscribers(DOMAIN, 0, Math.min(subscribers, options.latencyConnections));
  }
  const storeNames = new Map<StoreKind, string>();
  for (const store of stores.values()) storeNames.set(store.kind, await store.describe());
  const fsyncs = fsyncRate(dataDir);
  log(`the data directory's disk: ${fsyncs.toFixed(0)} fsyncs/s`);
  if (options.build === 'built') {
    log('building missive (tsc → dist/)');
    const built = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('tsc failed: the server cannot be built');
  }
  const context = {
    workDir,
    dataDir,
    domain: DOMAIN,
    generators: options.generators,
    build: options.build,
    log,
  };
  const stamp = startedAt.toISOString().replaceAll(':', '-').slice(0, 19);
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });

  const capacity: CapacityRun[] = [];
  const latency: LatencyRun[] = [];
  const failures: string[] = [];
  if (options.phases.includes('capacity')) {
    for (let run = 0; run < options.capacityRuns; run++) {
      try {
        capacity.push(await capacityRun(context, sqlite, run, options.connections, undefined));
      } catch (error) {
        failures.push(`capacity run ${String(run + 1)}: ${String(error)}`);
        log(failures.at(-1) ?? '');
      }
    }
  }
  if (options.phases.includes('latency')) {
    for (const kind of options.latencyStores) {
      const store = stores.get(kind);
      if (store === undefined) continue;
      for (let run = 0; run < options.runs; run++) {
        try {
          latency.push(
            await latencyRun(context, store, run, options.latencyConnections, options.rate, options.duration),
          );
        } catch (error) {
          failures.push(`latency run ${String(run + 1)} (${kind}): ${String(error)}`);
          log(failures.at(-1) ?? '');
        }
      }
    }
  }
  const fsyncsEnd = fsyncRate(dataDir);
  let heap: { groups: HeapGroup[]; connections: number } | undefined;
  if (options.snapshot && options.phases.includes('capacity')) {
    // A run of its own, in no figure: writing a snapshot leaves the server's RSS inflated.
    const after = join(resultsDir, `ws-${stamp}.heapsnapshot`);
    try {
      const run = await capacityRun(
        context,
        sqlite,
        options.capacityRuns,
        Math.min(SNAPSHOT_CONNECTIONS, options.connections),
        after,
      );
      log('summarizing the heap snapshots');
      const groups = heapGrowthOf(after.replace(/\.heapsnapshot$/, '-before.heapsnapshot'), after);
      heap = { groups, connections: run.registered };
    } catch (error) {
      failures.push(`heap snapshots: ${String(error)}`);
    }
  }
  for (const store of stores.values()) await store.drop();
  const resultsFile = join('bench', 'results', `ws-${stamp}.json`);
  writeFileSync(
    join(REPO_ROOT, resultsFile),
    `${JSON.stringify(
      {
        options,
        capacity,
        latency: latency.map(({ latencies, ackLatencies, ...rest }) => ({
          ...rest,
          delivered: latencies.length,
          acked: ackLatencies.length,
        })),
        failures,
      },
      null,
      2,
    )}\n`,
  );
  const argv = process.argv.slice(2);
  const section = renderSection({
    command: `npm run bench:ws${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine: machineInfo('no kamailio'),
    fdLimits: limits,
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    loadStart,
    loadEnd: loadAverage(),
    subscribers,
    createSeconds,
    fsyncs,
    fsyncsEnd,
    storeNames,
    heap,
    capacity,
    latency,
    failures,
    resultsFile,
  });
  writeBenchmarkSection(join(REPO_ROOT, 'BENCHMARKS.md'), section);
  if (failures.length === 0) rmSync(workDir, { recursive: true, force: true });
  else log(`server logs kept in ${workDir}`);
  log(`wrote BENCHMARKS.md and ${resultsFile}`);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:ws failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
