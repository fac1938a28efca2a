// Waiting in tests: every wait has a deadline and fails loudly, naming what it waited for.
import { setTimeout as sleepPromise } from 'node:timers/promises';

export function sleep(ms: number): Promise<void> {
  return sleepPromise(ms);
}

/** Rejects with `what` in the message when the promise does not settle in time. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long a child process of the tests (missive serve, the relay, a CLI command: node loading TypeScript
 * through tsx) may take to start or to finish a short command. Generous on purpose: on a loaded 2-core machine
 * (load average 25-30, two full suites side by side with other work) such starts took over 30 s.
 */
export const PROCESS_START_MS = 120_000;

/**
 * The bound on a wait for something that will come (an answer, a connection, a close the code under test
 * makes at once): long, because waiting for a sign costs nothing when it comes and a loaded 2-core machine
 * can hold a process back for seconds. Never a bound on a wait for something that should not come.
 */
export const EVENT_WAIT_MS = 15_000;

/** Milliseconds since `start` (from performance.now()). */
export function since(start: number): number {
  return performance.now() - start;
}

export interface WaitOptions {
  /** 5 s by default: generous, since CI runs on a loaded machine. */
  readonly timeoutMs?: number;
  /** How often `check` runs; 10 ms by default. */
  readonly intervalMs?: number;
}

/**
 * Polls `check` until it returns something other than undefined or false, and returns that; rejects after
 * `timeoutMs` naming `what`. For state that changes without an event the test can wait on.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | (() => string),
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    await sleep(options.intervalMs ?? 10);
  }
}

/** waitFor for a condition. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  what: string | (() => string) = 'a condition to hold',
  options: WaitOptions = {},
): Promise<void> {
  await waitFor(async () => (await predicate()) || undefined, what, options);
}
