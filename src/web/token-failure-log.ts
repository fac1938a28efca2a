/**
 * The log of failed API-token checks, aggregated. A line per failure lets a guesser write the disk full
 * (4,600 guesses a second were 2 GB of log an hour), so instead each source gets at most one line per
 * interval saying how many checks failed and how many requests were refused unchecked (429), with the
 * first few accounts tried; and one line, at once, when a source starts being limited. Consecutive
 * summaries are at least an interval apart: the timer starts with the first failure after a summary.
 *
 * Memory is bounded: past `maxSources` sources in one interval, the failures of further sources are
 * summed into one line of their own.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../time/clock.js';

export interface TokenFailureLogOptions {
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Seconds between summaries. Default 60. */
  readonly intervalSeconds?: number | undefined;
  /** Sources summed one by one per interval. Default 10 000. */
  readonly maxSources?: number | undefined;
}

export const DEFAULT_TOKEN_FAILURE_LOG_SECONDS = 60;
const DEFAULT_MAX_SOURCES = 10_000;
/** Accounts named per source and summary: enough to see what is tried, bounded. */
const ACCOUNTS_PER_SOURCE = 3;

interface Tally {
  failures: number;
  refused: number;
  readonly accounts: string[];
}

export class TokenFailureLog {
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #intervalMs: number;
  readonly #maxSources: number;
  readonly #tallies = new Map<string, Tally>();
  /** The sources past maxSources, summed. */
  readonly #others: Tally = { failures: 0, refused: 0, accounts: [] };
  #timer: Timer | undefined;

  constructor(options: TokenFailureLogOptions) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    const seconds = options.intervalSeconds ?? DEFAULT_TOKEN_FAILURE_LOG_SECONDS;
    if (!(Number.isFinite(seconds) && seconds > 0)) throw new RangeError('intervalSeconds must be positive');
    this.#intervalMs = seconds * 1000;
    this.#maxSources = options.maxSources ?? DEFAULT_MAX_SOURCES;
  }

  /** A check from `source` failed (a wrong, expired or missing token; `account` when the path named one). */
  failed(source: string, account: string | undefined): void {
    const tally = this.#tally(source);
    tally.failures++;
    if (
      account !== undefined &&
      tally.accounts.length < ACCOUNTS_PER_SOURCE &&
      !tally.accounts.includes(account)
    )
      tally.accounts.push(account);
  }

  /** A request from a limited `source` was refused without a check. */
  refused(source: string): void {
    this.#tally(source).refused++;
  }

  /** `source` has just been limited for `blockSeconds`: said at once. */
  limitStarted(source: string, blockSeconds: number): void {
    this.#logger?.warn({ source, blockSeconds }, 'API token failures: source limited');
  }

  /** Writes the pending summaries now and stops the timer (the web server stops). */
  close(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#flush();
  }

  #tally(source: string): Tally {
    this.#timer ??= this.#clock.schedule(this.#intervalMs, () => {
      this.#timer = undefined;
      this.#flush();
    });
    let tally = this.#tallies.get(source);
    if (tally !== undefined) return tally;
    if (this.#tallies.size >= this.#maxSources) return this.#others;
    tally = { failures: 0, refused: 0, accounts: [] };
    this.#tallies.set(source, tally);
    return tally;
  }

  #flush(): void {
    const seconds = this.#intervalMs / 1000;
    for (const [source, { failures, refused, accounts }] of this.#tallies) {
      this.#logger?.info(
        { source, failures, refused, accounts, intervalSeconds: seconds },
        'API token failures',
      );
    }
    this.#tallies.clear();
    const others = this.#others;
    if (others.failures + others.refused > 0) {
      const { failures, refused } = others;
      this.#logger?.info(
        { failures, refused, intervalSeconds: seconds },
        'API token failures from sources past the tally limit',
      );
      others.failures = 0;
      others.refused = 0;
    }
  }
}
