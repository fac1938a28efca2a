/**
 * A bounded cache whose entries expire: each value is kept for its own TTL (a DNS answer's), and when the
 * cache is full the entry used least recently goes first. Time comes from the injected clock.
 */
import type { Clock } from '../../time/clock.js';

interface Entry<V> {
  readonly value: V;
  readonly expires: number;
}

export class TtlCache<V> {
  /** Map order is recency order: a hit moves its key to the end. */
  readonly #entries = new Map<string, Entry<V>>();

  readonly #clock: Clock;
  readonly #maxEntries: number;

  constructor(clock: Clock, maxEntries: number) {
    this.#clock = clock;
    this.#maxEntries = maxEntries;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`bad cache size ${maxEntries}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value while its TTL lasts; an expired one is dropped. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.#clock.now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` for `ttlMs` (nothing is kept for 0 or less). */
  set(key: string, value: V, ttlMs: number): void {
    this.#entries.delete(key);
    if (ttlMs <= 0) return;
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expires: this.#clock.now() + ttlMs });
  }
}
