/**
 * One measurement of each row against one relay (or none: the generator alone, A → B), with the relay's
 * CPU time over the same interval. Each returns the metrics recorded for that run.
 */
import { TLSSocket } from 'node:tls';
import { ClientA } from './client-a.js';
import type { EndpointB } from './endpoint-b.js';
import { sleep, type Transport } from './net.js';
import type { BenchOptions } from './options.js';
import { openFdCount } from './relays/proc.js';
import type { RunningRelay } from './relays/relay.js';
import { openSession, STEP_TIMEOUT_MS, type Target } from './target.js';
import { bulkWindowChunks, runBulk } from './workloads/bulk.js';
import { closeAll, openCount, openIdleSessions } from './workloads/idle-sessions.js';
import { runSendRate } from './workloads/send-rate.js';
import { runSetupRate } from './workloads/setup-rate.js';

export type Metrics = Record<string, number>;

export const KiB = 1024;

function targetOf(relay: RunningRelay | undefined, transport: Transport, b: EndpointB): Target {
  return { relayPort: relay?.port, transport, b };
}

/** Runs `body` and adds the relay's CPU seconds over it, per wall second ("core busy", 1 = one core). */
async function withRelayCpu<T>(
  relay: RunningRelay | undefined,
  body: () => Promise<T>,
): Promise<{ result: T; relayCpu: number; busy: number }> {
  const cpu0 = relay?.cpuSeconds() ?? 0;
  const t0 = performance.now();
  const result = await body();
  const seconds = (performance.now() - t0) / 1000;
  const relayCpu = (relay?.cpuSeconds() ?? 0) - cpu0;
  return { result, relayCpu, busy: relayCpu / seconds };
}

export async function measureSendRate(
  relay: RunningRelay | undefined,
  transport: Transport,
  b: EndpointB,
  options: BenchOptions,
  window: number,
  durationMs: number,
): Promise<Metrics> {
  const session = await openSession(targetOf(relay, transport, b), window);
  try {
    const { result, relayCpu, busy } = await withRelayCpu(relay, () =>
      runSendRate(session, { window, chunkBytes: 2 * KiB, durationMs, maxSends: 50_000_000 }),
    );
    return {
      sends_per_s: result.sendsPerSecond,
      p50_ms: result.p50Ms,
      p95_ms: result.p95Ms,
      relay_cpu_us_per_send: relay === undefined ? Number.NaN : (relayCpu / result.completed) * 1e6,
      relay_core_busy: relay === undefined ? Number.NaN : busy,
      generator_cpu: result.generatorCpu,
    };
  } finally {
    session.close();
  }
}

export async function measureBulk(
  relay: RunningRelay | undefined,
  transport: Transport,
  b: EndpointB,
  options: BenchOptions,
  chunkBytes: number,
): Promise<Metrics> {
  const bulk = {
    chunkBytes,
    totalBytes: options.bulkBytes,
    windowBytes: options.bulkWindowBytes,
    timeoutMs: 120_000,
  };
  const session = await openSession(targetOf(relay, transport, b), bulkWindowChunks(bulk));
  try {
    const { result, relayCpu, busy } = await withRelayCpu(relay, () => runBulk(session, bulk));
    const relayMemory = relay?.memoryBytes() ?? Number.NaN;
    return {
      mb_per_s: result.megabytesPerSecond,
      relay_cpu_s_per_gb: relay === undefined ? Number.NaN : relayCpu / (result.bytes / 1e9),
      relay_core_busy: relay === undefined ? Number.NaN : busy,
      relay_memory_mb: relayMemory / 1e6,
      generator_cpu: result.generatorCpu,
    };
  } finally {
    session.close();
  }
}

export async function measureSetupRate(
  relay: RunningRelay,
  transport: Transport,
  b: EndpointB,
  options: BenchOptions,
  durationMs: number,
): Promise<Metrics> {
  const setup = { parallel: options.setupParallel, durationMs, maxSetups: 1_000_000, maxErrors: 20 };
  const { result, relayCpu, busy } = await withRelayCpu(relay, () =>
    runSetupRate(targetOf(relay, transport, b), setup),
  );
  // Closed sessions' connections wind down before the next run.
  await sleep(300);
  return {
    setups_per_s: result.setupsPerSecond,
    p50_ms: result.p50Ms,
    p95_ms: result.p95Ms,
    p99_ms: result.p99Ms,
    errors: result.errors,
    relay_cpu_us_per_setup: (relayCpu / result.setups) * 1e6,
    relay_core_busy: busy,
    generator_cpu: result.generatorCpu,
  };
}

/**
 * Memory per authenticated idle session: the relay's memory (PSS, summed over its processes) with
 * `count` sessions open minus before, divided by `count`. The relay should be fresh, after a warm-up.
 */
export async function measureIdleSessions(
  relay: RunningRelay,
  transport: Transport,
  options: BenchOptions,
  count: number,
): Promise<Metrics> {
  const warm = await openIdleSessions({
    relayPort: relay.port,
    transport,
    count: 200,
    parallel: 32,
    timeoutMs: 30_000,
  });
  closeAll(warm);
  await sleep(1500);
  const before = relay.memoryBytes();
  const fdsBefore = openFdCount(relay.pids());
  const t0 = performance.now();
  const relayCpu0 = relay.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const clients = await openIdleSessions({
    relayPort: relay.port,
    transport,
    count,
    parallel: options.idleParallel,
    timeoutMs: 300_000,
  });
  const openSeconds = (performance.now() - t0) / 1000;
  const relayCpu = relay.cpuSeconds() - relayCpu0;
  const cpu = process.cpuUsage(cpu0);
  try {
    await sleep(options.quick ? 1000 : 3000); // let allocation settle (Node: a GC cycle or two)
    const after = relay.memoryBytes();
    const stillOpen = openCount(clients);
    if (stillOpen !== count) throw new Error(`${count - stillOpen} idle sessions were closed by the relay`);
    return {
      sessions: count,
      bytes_per_session: (after - before) / count,
      memory_before_mb: before / 1e6,
      memory_after_mb: after / 1e6,
      relay_fds: openFdCount(relay.pids()) - fdsBefore,
      open_seconds: openSeconds,
      open_relay_core_busy: relayCpu / openSeconds,
      open_generator_cpu: (cpu.user + cpu.system) / 1e6 / openSeconds,
    };
  } finally {
    closeAll(clients);
  }
}

/** Whether one chunk of `bytes` gets through the relay (Kamailio's msrp module has a frame size limit). */
export async function probeChunk(
  relay: RunningRelay,
  transport: Transport,
  b: EndpointB,
  bytes: number,
): Promise<boolean> {
  const session = await openSession(targetOf(relay, transport, b), 2);
  try {
    session.send('probe', Buffer.alloc(bytes, 'p'), 1, bytes, true);
    for (let i = 0; i < 100 && session.completed === 0 && !session.a.closed; i++) await sleep(20);
    return session.completed === 1 && session.deliveredBytes === bytes;
  } finally {
    session.close();
  }
}

/** The TLS version and cipher the generator negotiates with a relay (or B), for the report. */
export async function tlsParameters(port: number): Promise<string> {
  const client = await ClientA.connect(port, 'tls', STEP_TIMEOUT_MS);
  try {
    const socket = client.socket;
    if (!(socket instanceof TLSSocket)) return 'not TLS';
    return `${socket.getProtocol() ?? '?'} ${socket.getCipher().name}`;
  } finally {
    client.close();
  }
}
