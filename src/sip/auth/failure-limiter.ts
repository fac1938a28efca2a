/**
 * Counts failed logins per key (a source address, an account) and refuses a key for a cooldown once it
 * has failed `maxFailures` times within `windowMs` of its first counted failure. Memory is bounded: past
 * `maxEntries` keys the one changed longest ago is dropped, so a flood of new keys can at worst release
 * an old block early, never exhaust memory.
 */
import type { Clock } from '../../time/clock.js';

export interface FailureLimitOptions {
  /** Failures that trigger a block. Default 10. */
  readonly maxFailures?: number | undefined;
  /** The window they must fall in, from the first one. Default 60 s. */
  readonly windowSeconds?: number | undefined;
  /** How long a key stays refused. Default 300 s. */
  readonly cooldownSeconds?: number | undefined;
  /** Keys remembered per limiter. Default 10 000. */
  readonly maxEntries?: number | undefined;
}

export const DEFAULT_MAX_FAILURES = 10;
export const DEFAULT_FAILURE_WINDOW_SECONDS = 60;
export const DEFAULT_COOLDOWN_SECONDS = 300;
export const DEFAULT_MAX_FAILURE_ENTRIES = 10_000;

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly cooldownMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly clock: Clock,
    options: FailureLimitOptions = {},
  ) {
    this.maxFailures = positive(options.maxFailures ?? DEFAULT_MAX_FAILURES, 'maxFailures');
    this.windowMs = positive(options.windowSeconds ?? DEFAULT_FAILURE_WINDOW_SECONDS, 'windowSeconds') * 1000;
    this.cooldownMs = positive(options.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS, 'cooldownSeconds') * 1000;
    this.maxEntries = positive(options.maxEntries ?? DEFAULT_MAX_FAILURE_ENTRIES, 'maxEntries');
  }

  isBlocked(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.blockedUntil === 0) return false;
    if (entry.blockedUntil > this.clock.now()) return true;
    this.entries.delete(key); // the cooldown is over: a clean slate
    return false;
  }

  recordFailure(key: string): void {
    const now = this.clock.now();
    let entry = this.entries.get(key);
    if (entry === undefined || now - entry.windowStart >= this.windowMs) {
      entry = { windowStart: now, failures: 0, blockedUntil: 0 };
    }
    entry.failures++;
    if (entry.failures >= this.maxFailures) entry.blockedUntil = now + this.cooldownMs;
    // Re-inserted so that the map's order is "least recently changed first", the eviction order.
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOldest(): void {
    for (const key of this.entries.keys()) {
      this.entries.delete(key);
      return;
    }
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
