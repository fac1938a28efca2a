/**
 * Journal retention (sylk spec §3.12: the reference's Cassandra keeps messages a year): every `intervalMs`,
 * and once shortly after start, deletes the entries stored more than `retentionMs` ago. The store deletes
 * in bounded transactions, so writers wait at most one batch. Runs never overlap; a failed run is logged
 * and the next one tries again.
 */
import type { Logger } from 'pino';
import { type JournalStore, retentionCutoff } from './journal-store.js';
import type { Clock, Timer } from '../../time/clock.js';

export const DEFAULT_PURGE_INTERVAL_MS = 3600_000;
/** The first run waits this long, so that start-up is not slowed by a large purge. */
export const FIRST_PURGE_DELAY_MS = 60_000;

export interface RetentionOptions {
  readonly journal: Pick<JournalStore, 'purgeOlderThan'>;
  readonly clock: Clock;
  readonly retentionMs: number;
  readonly intervalMs?: number;
  readonly firstDelayMs?: number;
  readonly logger?: Logger | undefined;
}

export class RetentionPurger {
  readonly #options: RetentionOptions;
  #timer: Timer | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(options: RetentionOptions) {
    if (!Number.isSafeInteger(options.retentionMs) || options.retentionMs <= 0) {
      throw new RangeError('retentionMs must be a positive integer');
    }
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(this.#options.firstDelayMs ?? FIRST_PURGE_DELAY_MS);
  }

  /** Cancels the next run and waits for one in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One purge now (or the one in progress); how many entries it deleted. Rejects when the store failed. */
  runOnce(): Promise<number> {
    this.#running ??= this.#purge().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #purge(): Promise<number> {
    const { clock, journal, retentionMs, logger } = this.#options;
    const started = clock.now();
    const cutoff = retentionCutoff(started, retentionMs);
    const deleted = await journal.purgeOlderThan(cutoff);
    logger?.info(
      { deleted, cutoff: new Date(cutoff).toISOString(), ms: clock.now() - started },
      'journal retention purge',
    );
    return deleted;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.schedule(delayMs, () => {
      this.runOnce()
        .catch((error: unknown) => {
          this.#options.logger?.warn({ err: error }, 'journal retention purge failed');
        })
        .finally(() => {
          this.#schedule(this.#options.intervalMs ?? DEFAULT_PURGE_INTERVAL_MS);
        });
    });
  }
}
