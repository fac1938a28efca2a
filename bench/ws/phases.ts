/**
 * The two measurements of `npm run bench:ws`, each on a fresh `missive serve`:
 * * capacity: open and register as many connections as asked (capped by the server's open-files limit),
 *   let them idle, and take the server's memory after a full GC before and after: per connection.
 * * latency: with N connections registered, send account-message at a fixed rate and time each from its
 *   send to the recipient's `message` event; the journal must then hold both sides of every message.
 */
import type { BenchStore, StoreKind } from './bench-store.js';
import { GeneratorPool } from './generators.js';
import type { SendReport } from './load-protocol.js';
import { BenchServer, type ServerBuild, serverLogFile } from './server.js';
import type { ProbeMemory } from './server-probe.js';

export const SERVER_CORE = 1;
export const GENERATOR_CORE = 0;
/** Descriptors kept free in the server for its store, listeners and logs. */
const FD_RESERVE = 200;
const IDLE_SETTLE_MS = 5000;
export const WARMUP_SECONDS = 3;

export interface BenchContext {
  readonly workDir: string;
  readonly dataDir: string;
  readonly domain: string;
  readonly generators: number;
  readonly build: ServerBuild;
  readonly log: (line: string) => void;
}

export interface CapacityRun {
  readonly asked: number;
  readonly attempted: number;
  readonly registered: number;
  readonly failures: Record<string, number>;
  readonly connectSeconds: number;
  readonly serverFdLimit: number;
  readonly before: ProbeMemory;
  readonly after: ProbeMemory;
  /** Server CPU seconds spent opening and registering the connections. */
  readonly cpuSeconds: number;
  /** Seconds the server's main thread was runnable but waited for a CPU meanwhile (other jobs). */
  readonly waitingSeconds: number;
}

export interface LatencyRun {
  readonly store: StoreKind;
  readonly connections: number;
  readonly rate: number;
  readonly seconds: number;
  readonly sent: number;
  readonly latencies: number[];
  readonly ackLatencies: number[];
  readonly missing: number;
  readonly errors: Record<string, number>;
  /** Server CPU seconds over the measured sending (warm-up excluded). */
  readonly cpuSeconds: number;
  /** Seconds the server's main thread was runnable but waited for a CPU meanwhile (other jobs). */
  readonly waitingSeconds: number;
  readonly wallSeconds: number;
  /** Journal entries added during the run, and the messages sent (warm-up included). */
  readonly journalEntries: number;
  readonly messagesTotal: number;
  /** Messages acknowledged, and `message` events received, warm-up included. */
  readonly ackedAll: number;
  readonly deliveredAll: number;
}

async function withServer<T>(
  context: BenchContext,
  store: BenchStore,
  label: string,
  connections: number,
  work: (server: BenchServer, pool: GeneratorPool) => Promise<T>,
): Promise<T> {
  const server = await BenchServer.start({
    dataDir: context.dataDir,
    store: store.uri,
    domain: context.domain,
    connections,
    core: SERVER_CORE,
    build: context.build,
    logFile: serverLogFile(context.workDir, label),
  });
  const pool = new GeneratorPool(context.generators, GENERATOR_CORE);
  try {
    return await work(server, pool);
  } finally {
    await pool.stop();
    await server.stop();
  }
}

export function capacityRun(
  context: BenchContext,
  store: BenchStore,
  run: number,
  asked: number,
  snapshotFile: string | undefined,
): Promise<CapacityRun> {
  return withServer(context, store, `capacity-${String(run)}`, asked, async (server, pool) => {
    if (snapshotFile !== undefined)
      await server.snapshot(snapshotFile.replace(/\.heapsnapshot$/, '-before.heapsnapshot'));
    // As long as the connections will idle: RSS settles after start-up (V8 gives pages back over seconds).
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const before = await server.memory();
    const serverFdLimit = server.openFilesLimit();
    const attempted = Math.min(asked, serverFdLimit - before.fds - FD_RESERVE);
    context.log(
      `capacity run ${String(run + 1)}: opening ${attempted.toLocaleString('en-US')} connections (server open-files limit ${String(serverFdLimit)})`,
    );
    const cpuStart = server.cpuSeconds();
    const scheduleStart = server.schedule();
    const connected = await pool.connect(server.url, context.domain, attempted);
    const cpuSeconds = server.cpuSeconds() - cpuStart;
    const waitingSeconds = (server.schedule().waitingNs - scheduleStart.waitingNs) / 1e9;
    context.log(
      `capacity run ${String(run + 1)}: ${connected.registered.toLocaleString('en-US')} registered in ${connected.seconds.toFixed(1)} s${Object.keys(connected.failures).length > 0 ? `; failures ${JSON.stringify(connected.failures)}` : ''}`,
    );
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const after = await server.memory();
    if (snapshotFile !== undefined) {
      await server.snapshot(snapshotFile);
      context.log(`heap snapshot: ${snapshotFile}`);
    }
    return {
      asked,
      attempted,
      registered: connected.registered,
      failures: connected.failures,
      connectSeconds: connected.seconds,
      serverFdLimit,
      before,
      after,
      cpuSeconds,
      waitingSeconds,
    };
  });
}

export function latencyRun(
  context: BenchContext,
  store: BenchStore,
  run: number,
  connections: number,
  rate: number,
  seconds: number,
): Promise<LatencyRun> {
  return withServer(
    context,
    store,
    `latency-${store.kind}-${String(run)}`,
    connections,
    async (server, pool) => {
      const connected = await pool.connect(server.url, context.domain, connections);
      if (connected.registered < connections) {
        throw new Error(
          `only ${String(connected.registered)} of ${String(connections)} registered: ${JSON.stringify(connected.failures)}`,
        );
      }
      const entriesBefore = await store.journalEntries();
      context.log(
        `latency run ${String(run + 1)} (${store.kind}): ${connections.toLocaleString('en-US')} registered; ${String(rate)} messages/s for ${String(WARMUP_SECONDS)} + ${String(seconds)} s`,
      );
      // The server's CPU over the measured part only: sampled when the warm-up should be over.
      let cpuStart = 0;
      let wallStart = 0;
      let waitingStart = 0;
      const sample = setTimeout(() => {
        cpuStart = server.cpuSeconds();
        waitingStart = server.schedule().waitingNs;
        wallStart = performance.now();
      }, WARMUP_SECONDS * 1000);
      const reports = await pool.send(rate, WARMUP_SECONDS, seconds);
      clearTimeout(sample);
      const cpuSeconds = server.cpuSeconds() - cpuStart;
      const waitingSeconds = (server.schedule().waitingNs - waitingStart) / 1e9;
      const wallSeconds = (performance.now() - wallStart) / 1000;
      return {
        ...merge(reports),
        connections,
        rate,
        seconds,
        cpuSeconds,
        waitingSeconds,
        wallSeconds,
        journalEntries: (await store.journalEntries()) - entriesBefore,
        store: store.kind,
        messagesTotal: Math.round(rate * (WARMUP_SECONDS + seconds)),
      };
    },
  );
}

function merge(
  reports: readonly SendReport[],
): Pick<
  LatencyRun,
  'sent' | 'latencies' | 'ackLatencies' | 'missing' | 'errors' | 'ackedAll' | 'deliveredAll'
> {
  const errors: Record<string, number> = {};
  for (const report of reports) {
    for (const [text, count] of Object.entries(report.errors)) errors[text] = (errors[text] ?? 0) + count;
  }
  return {
    sent: reports.reduce((sum, r) => sum + r.sent, 0),
    latencies: reports.flatMap((r) => [...r.latencies]),
    ackLatencies: reports.flatMap((r) => [...r.ackLatencies]),
    missing: reports.reduce((sum, r) => sum + r.missing, 0),
    errors,
    ackedAll: reports.reduce((sum, r) => sum + r.ackedAll, 0),
    deliveredAll: reports.reduce((sum, r) => sum + r.deliveredAll, 0),
  };
}
