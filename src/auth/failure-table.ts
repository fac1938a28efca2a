/**
 * Failed logins counted per key, with a block once a key reaches its limit: the building block of
 * LoginLimiter (login-limiter.ts), which keeps one table per dimension (source, source+account).
 *
 * Memory is bounded, and the bound is kept in a way that an attacker gains little from filling it:
 * - keys still counting (under the limit) live in one map, evicted least recently failed first; losing
 *   one gives back at most `maxFailures - 1` guesses;
 * - blocked keys live in a map of their own, so a flood of new counting keys never evicts a block. Every
 *   block lasts the same cooldown, so insertion order is expiry order: expired blocks are dropped from the
 *   head, and only when `maxEntries` keys are blocked at once does the block nearest its end go early.
 */
import type { Clock } from '../time/clock.js';

export interface FailureTableLimits {
  /** Failures within the window that block the key. */
  readonly maxFailures: number;
  /** The window failures are counted in, from the first one. */
  readonly windowMs: number;
  /** How long a blocked key stays blocked. */
  readonly cooldownMs: number;
  /** Keys remembered in each of the two maps (counting, blocked). */
  readonly maxEntries: number;
}

interface Counting {
  readonly windowStart: number;
  failures: number;
}

export class FailureTable {
  readonly #clock: Clock;
  readonly #limits: FailureTableLimits;
  readonly #counting = new Map<string, Counting>();
  /** Key → the time its block ends; in insertion order, which is expiry order (one cooldown for all). */
  readonly #blocked = new Map<string, number>();

  constructor(clock: Clock, limits: FailureTableLimits) {
    this.#clock = clock;
    this.#limits = limits;
  }

  /** Milliseconds until the key may try again; 0 when it is not blocked. */
  blockedFor(key: string): number {
    const until = this.#blocked.get(key);
    if (until === undefined) return 0;
    const left = until - this.#clock.now();
    if (left > 0) return left;
    this.#blocked.delete(key); // the cooldown is over: a clean slate
    return 0;
  }

  /** Counts a failure; true when this one blocks the key. A key already blocked is not counted again. */
  recordFailure(key: string): boolean {
    if (this.blockedFor(key) > 0) return false;
    const now = this.#clock.now();
    let entry = this.#counting.get(key);
    if (entry === undefined || now - entry.windowStart >= this.#limits.windowMs) {
      entry = { windowStart: now, failures: 0 };
    }
    entry.failures++;
    // Re-inserted so that the map's order is "least recently failed first", the eviction order.
    this.#counting.delete(key);
    if (entry.failures >= this.#limits.maxFailures) {
      this.#block(key, now);
      return true;
    }
    while (this.#counting.size >= this.#limits.maxEntries) dropFirst(this.#counting);
    this.#counting.set(key, entry);
    return false;
  }

  /** Forgets the key's failures (not a block: a block runs its course). */
  forgetFailures(key: string): void {
    this.#counting.delete(key);
  }

  /** Keys remembered, counting and blocked. */
  get size(): number {
    return this.#counting.size + this.#blocked.size;
  }

  #block(key: string, now: number): void {
    for (const [blocked, until] of this.#blocked) {
      if (until > now) break;
      this.#blocked.delete(blocked);
    }
    while (this.#blocked.size >= this.#limits.maxEntries) dropFirst(this.#blocked);
    this.#blocked.set(key, now + this.#limits.cooldownMs);
  }
}

function dropFirst(map: Map<string, unknown>): void {
  for (const key of map.keys()) {
    map.delete(key);
    return;
  }
}
