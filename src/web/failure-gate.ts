/**
 * Failed credential checks per source, for the web port's API tokens: after `maxFailures` failures within
 * `windowSeconds` of a source's first counted one, the source is limited for `blockSeconds`, and its
 * requests are answered 429 without their credentials being checked at all. The tokens are 256-bit random
 * values that nobody guesses; what this bounds is the work (a store query each) and the log volume that a
 * guesser causes, and it never stops other sources.
 *
 * FailureGate is the interface the routes' token check uses, so that the shared failed-login limiter (SIP
 * digest, MSRP AUTH) can stand behind it later. SourceFailureLimiter is the web port's own, on the same
 * bounded FailureTable as the login limiter (a flood of new sources never lifts a limit). A success does
 * not reset a source's count: a client with one valid token could otherwise interleave it with guesses.
 */
import { FailureTable } from '../auth/failure-table.js';
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

/** The web port's own FailureGate: one FailureTable (auth/failure-table.ts) of sources. */
export class SourceFailureLimiter implements FailureGate {
  readonly #table: FailureTable;
  readonly #blockSeconds: number;

  constructor(clock: Clock, limits: SourceFailureLimits = {}) {
    this.#blockSeconds = positive(limits.blockSeconds ?? DEFAULT_TOKEN_BLOCK_SECONDS, 'blockSeconds');
    this.#table = new FailureTable(clock, {
      maxFailures: positive(limits.maxFailures ?? DEFAULT_TOKEN_MAX_FAILURES, 'maxFailures'),
      windowMs:
        positive(limits.windowSeconds ?? DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS, 'windowSeconds') * 1000,
      cooldownMs: this.#blockSeconds * 1000,
      maxEntries: positive(limits.maxSources ?? DEFAULT_TOKEN_FAILURE_SOURCES, 'maxSources'),
    });
  }

  check(source: string): GateVerdict {
    const left = this.#table.blockedFor(source);
    return left > 0 ? { kind: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) } : OPEN;
  }

  recordFailure(source: string): FailureOutcome {
    if (this.#table.blockedFor(source) > 0) return { kind: 'already-limited' };
    return this.#table.recordFailure(source)
      ? { kind: 'limit-started', blockSeconds: this.#blockSeconds }
      : { kind: 'counted' };
  }

  /** Sources remembered now. */
  get size(): number {
    return this.#table.size;
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
