/**
 * Row 3: session setups by `parallel` clients in a loop, for a fixed time. One setup = connect, AUTH
 * (401), AUTH with credentials (200 + Use-Path), an empty binding SEND (Byte-Range 1-0/0) that B
 * receives and answers while A gets the relay's 200; then A closes the connection.
 */
import { sleep } from '../net.js';
import type { SendSession } from '../session.js';
import { LatencyLog } from '../stats.js';
import { openSession, STEP_TIMEOUT_MS, type Target } from '../target.js';

export interface SetupRateOptions {
  readonly parallel: number;
  readonly durationMs: number;
  readonly maxSetups: number;
  /** Failed setups tolerated before the run is abandoned. */
  readonly maxErrors: number;
}

export interface SetupRateResult {
  readonly setups: number;
  readonly seconds: number;
  readonly setupsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly generatorCpu: number;
}

const EMPTY = Buffer.alloc(0);

function bind(session: SendSession): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('binding SEND not completed in time'));
    }, STEP_TIMEOUT_MS);
    session.onProgress = () => {
      if (session.failures > 0) {
        clearTimeout(timer);
        reject(new Error('binding SEND refused'));
      } else if (session.completed >= 1) {
        clearTimeout(timer);
        resolve();
      }
    };
    session.send('bind', EMPTY, 1, 0, true);
  });
}

export async function runSetupRate(target: Target, options: SetupRateOptions): Promise<SetupRateResult> {
  const latencies = new LatencyLog();
  let setups = 0;
  let errors = 0;
  let firstError: unknown;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && setups < options.maxSetups && errors <= options.maxErrors) {
      const start = performance.now();
      let session: SendSession | undefined;
      try {
        session = await openSession(target, 2);
        await bind(session);
        if (performance.now() <= deadline) {
          setups++;
          latencies.add(performance.now() - start);
        }
      } catch (error) {
        errors++;
        firstError ??= error;
        await sleep(10);
      } finally {
        session?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  const seconds = Math.min(performance.now() - t0, options.durationMs) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (errors > options.maxErrors || setups === 0) {
    throw new Error(`session setups failed (${errors} errors): ${String(firstError)}`);
  }
  return {
    setups,
    seconds,
    setupsPerSecond: setups / seconds,
    p50Ms: latencies.percentile(50),
    p95Ms: latencies.percentile(95),
    p99Ms: latencies.percentile(99),
    errors,
    generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
