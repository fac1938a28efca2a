/** Row 1: complete 2 KiB SENDs (one chunk per message) with a fixed number in flight, for a fixed time. */
import { sleep } from '../net.js';
import { Pump, type SendSession } from '../session.js';

export interface SendRateOptions {
  readonly window: number;
  readonly chunkBytes: number;
  readonly durationMs: number;
  /** Upper bound of SENDs, whatever the duration. */
  readonly maxSends: number;
}

export interface SendRateResult {
  readonly completed: number;
  readonly seconds: number;
  readonly sendsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** CPU the generator process used per wall second (1 = one core). */
  readonly generatorCpu: number;
}

export async function runSendRate(session: SendSession, options: SendRateOptions): Promise<SendRateResult> {
  const body = Buffer.alloc(options.chunkBytes, 'msrp-bench ');
  let stopped = false;
  let messageCounter = 0;
  const pump = new Pump(session, () => {
    while (!stopped && session.inFlight < options.window && session.sent < options.maxSends) {
      if (!session.send(`m${(messageCounter++).toString(36)}`, body, 1, body.length, true)) return false;
    }
    return true;
  });
  session.onProgress = pump.request;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  pump.request();
  const deadline = t0 + options.durationMs;
  while (performance.now() < deadline && session.sent < options.maxSends && !session.a.closed) {
    await sleep(Math.min(50, Math.max(1, deadline - performance.now())));
  }
  stopped = true;
  const seconds = (performance.now() - t0) / 1000;
  const completed = session.completed;
  const cpu = process.cpuUsage(cpu0);
  // Let the last transactions finish (bounded) so the next run starts from an idle relay.
  for (let i = 0; i < 100 && session.inFlight > 0; i++) await sleep(20);
  if (session.failures > 0) throw new Error(`${session.failures} SENDs were not answered 200`);
  if (completed === 0) throw new Error('no SEND completed');
  return {
    completed,
    seconds,
    sendsPerSecond: completed / seconds,
    p50Ms: session.latencies.percentile(50),
    p95Ms: session.latencies.percentile(95),
    generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
