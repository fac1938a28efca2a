/**
 * How many MESSAGEs one sender may hand the messaging application: a token bucket per sender account (burst
 * tokens, refilled at a steady rate), on the injectable clock. A message takes a token; without one it is
 * refused before anything is stored or forked. The table of buckets is bounded: past `maxSenders`, the buckets
 * that have refilled completely (they hold no information) go first, then the least recently used (they have
 * had the longest to refill). Only authenticated local users and trusted peers' asserted senders reach it.
 */
import type { Clock } from '../../time/clock.js';

export interface SenderRateLimitOptions {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** The bucket's size: how many messages a sender may send at once after a quiet spell. */
  readonly burst: number;
  readonly clock: Clock;
  /** The most senders tracked at once (default 100,000). */
  readonly maxSenders?: number | undefined;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was computed (clock ms). */
  at: number;
}

const DEFAULT_MAX_SENDERS = 100_000;

export class SenderRateLimit {
  #perMs: number;
  #burst: number;
  readonly #clock: Clock;
  readonly #maxSenders: number;
  /** In order of last use (Map keeps insertion order; a use re-inserts). */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: SenderRateLimitOptions) {
    if (!(options.perSecond > 0) || !(options.burst >= 1))
      throw new RangeError('a rate limit needs a positive rate and a burst of at least 1');
    this.#perMs = options.perSecond / 1000;
    this.#burst = options.burst;
    this.#clock = options.clock;
    this.#maxSenders = options.maxSenders ?? DEFAULT_MAX_SENDERS;
  }

  /** A new rate and burst (a reload); throws like the constructor and then keeps the old ones. */
  setRate(perSecond: number, burst: number): void {
    if (!(perSecond > 0) || !(burst >= 1))
      throw new RangeError('a rate limit needs a positive rate and a burst of at least 1');
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
  }

  /** Takes a token for `sender`: true when the message may go on. */
  take(sender: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(sender);
    const tokens = bucket === undefined ? this.#burst : this.#refilled(bucket, now);
    this.#buckets.delete(sender);
    if (tokens < 1) {
      // Kept as it was (refill counted from the last accepted message), moved to the most recently used end.
      if (bucket !== undefined) this.#buckets.set(sender, bucket);
      return false;
    }
    this.#buckets.set(sender, { tokens: tokens - 1, at: now });
    this.#bound(now);
    return true;
  }

  /** Senders tracked now (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
  }

  #bound(now: number): void {
    if (this.#buckets.size <= this.#maxSenders) return;
    for (const [sender, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now) >= this.#burst) this.#buckets.delete(sender);
    }
    // Still too many: the least recently active go (they have had the longest to refill).
    for (const sender of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxSenders) return;
      this.#buckets.delete(sender);
    }
  }
}
