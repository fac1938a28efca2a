/**
 * Failed credential checks per source, for the web port's API tokens: after `maxFailures` failures within
 * `windowSeconds` of a source's first counted one, the source is limited for `blockSeconds`, and its
 * requests are answered 429 without their credentials being checked at all. The tokens are 256-bit random
 * values that nobody guesses; what this bounds is the work (a store query each) and the log volume that a
 * guesser causes, and it never stops other sources.
 *
 * FailureGate is the interface the routes' token check uses, so that the shared failed-login limiter (SIP
 * digest, MSRP AUTH) can stand behind it later. SourceFailureLimiter is the web port's own. Memory is
 * bounded: past `maxSources` sources the one changed longest ago is forgotten, so a flood of new sources
 * can at worst lift an old limit early, never exhaust memory. A success does not reset a source's count:
 * a client with one valid token could otherwise interleave it with guesses.
 */
import type { Clock } from '../time/clock.js';

export type GateVerdict =
  | { readonly kind: 'open' }
  | { readonly kind: 'limited'; readonly retryAfterSeconds: number };

/**
 * What a failure did: counted; started the source's limit (`limit-started`, once per limit); or nothing,
 * because the source was limited already (a request checked before the limit began, answered after).
 */
export type FailureOutcome =
  | { readonly kind: 'counted' }
  | { readonly kind: 'limit-started'; readonly blockSeconds: number }
  | { readonly kind: 'already-limited' };

export interface FailureGate {
  /** Whether a request from `source` may have its credentials checked now. */
  check(source: string): GateVerdict;
  /** Counts a failed check of a request from `source`. */
  recordFailure(source: string): FailureOutcome;
}

export interface SourceFailureLimits {
  /** Failures that start a limit. Default 20. */
  readonly maxFailures?: number | undefined;
  /** The window they must fall in, from the first one. Default 60 s. */
  readonly windowSeconds?: number | undefined;
  /** How long a source stays limited. Default 60 s. */
  readonly blockSeconds?: number | undefined;
  /** Sources remembered. Default 10 000. */
  readonly maxSources?: number | undefined;
}

export const DEFAULT_TOKEN_MAX_FAILURES = 20;
export const DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS = 60;
export const DEFAULT_TOKEN_BLOCK_SECONDS = 60;
export const DEFAULT_TOKEN_FAILURE_SOURCES = 10_000;

const OPEN: GateVerdict = { kind: 'open' };

interface Entry {
  windowStart: number;
  failures: number;
  /** 0: not limited. */
  blockedUntil: number;
}

export class SourceFailureLimiter implements FailureGate {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #blockMs: number;
  readonly #maxSources: number;

  constructor(clock: Clock, limits: SourceFailureLimits = {}) {
    this.#clock = clock;
    this.#maxFailures = positive(limits.maxFailures ?? DEFAULT_TOKEN_MAX_FAILURES, 'maxFailures');
    this.#windowMs =
      positive(limits.windowSeconds ?? DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS, 'windowSeconds') * 1000;
    this.#blockMs = positive(limits.blockSeconds ?? DEFAULT_TOKEN_BLOCK_SECONDS, 'blockSeconds') * 1000;
    this.#maxSources = positive(limits.maxSources ?? DEFAULT_TOKEN_FAILURE_SOURCES, 'maxSources');
  }

  check(source: string): GateVerdict {
    const entry = this.#entries.get(source);
    if (entry === undefined || entry.blockedUntil === 0) return OPEN;
    const now = this.#clock.now();
    if (entry.blockedUntil > now) return limited(entry.blockedUntil - now);
    this.#entries.delete(source); // the limit is over: a clean slate
    return OPEN;
  }

  recordFailure(source: string): FailureOutcome {
    const now = this.#clock.now();
    let entry = this.#entries.get(source);
    if (entry !== undefined && entry.blockedUntil > now) return { kind: 'already-limited' };
    if (entry === undefined || entry.blockedUntil !== 0 || now - entry.windowStart >= this.#windowMs) {
      entry = { windowStart: now, failures: 0, blockedUntil: 0 };
    }
    entry.failures++;
    // Re-inserted so that the map's order is "changed longest ago first", the order sources are forgotten in.
    this.#entries.delete(source);
    while (this.#entries.size >= this.#maxSources) this.#forgetOldest();
    this.#entries.set(source, entry);
    if (entry.failures < this.#maxFailures) return { kind: 'counted' };
    entry.blockedUntil = now + this.#blockMs;
    return { kind: 'limit-started', blockSeconds: this.#blockMs / 1000 };
  }

  /** Sources remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  #forgetOldest(): void {
    for (const key of this.#entries.keys()) {
      this.#entries.delete(key);
      return;
    }
  }
}

function limited(remainingMs: number): GateVerdict {
  return { kind: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
