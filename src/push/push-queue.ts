/**
 * Pushes on their way: a queue with a limit, a bounded number sent at once, and retries with backoff within a
 * bounded total time. A full queue drops its oldest push (the newest message is the one the user is about to
 * look for) and counts it. Every push ends with one outcome: sent, token-gone, or failed (refused, given up,
 * dropped, closed). A provider that hangs holds its slot only for its own timeout; a provider that is down
 * costs each push at most the retry window.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../time/clock.js';
import { type BackoffSettings, DEFAULT_BACKOFF, retryDelayMs } from './backoff.js';
import type { PushDelivery, PushOutcome, PushProvider } from './provider.js';
import type { PushStats } from './push-stats.js';

export interface PushQueueSettings {
  /** Pushes waiting (for a slot or for their next try) at most. */
  readonly limit: number;
  /** Pushes being sent at once at most. */
  readonly concurrency: number;
  /** A push is not tried again once this long has passed since its first try. */
  readonly retryWindowMs: number;
  readonly backoff?: BackoffSettings | undefined;
}

export type FinalOutcome = Exclude<PushOutcome, { kind: 'retry' }>;

interface Job {
  readonly delivery: PushDelivery;
  readonly provider: PushProvider;
  readonly done: (outcome: FinalOutcome) => void;
  attempts: number;
  firstTryAt: number | undefined;
  /** Set while the job waits for its next try. */
  timer: Timer | undefined;
}

export interface PushQueueOptions {
  readonly settings: PushQueueSettings;
  readonly clock: Clock;
  readonly stats: PushStats;
  /** [0, 1); default Math.random. */
  readonly random?: (() => number) | undefined;
  readonly logger?: Logger | undefined;
}

export class PushQueue {
  readonly #options: PushQueueOptions;
  readonly #random: () => number;
  /** Ready to be sent, oldest first. */
  readonly #ready: Job[] = [];
  /** Waiting for their next try, oldest first (a Set keeps insertion order). */
  readonly #waiting = new Set<Job>();
  #inFlight = 0;
  #closed = false;

  constructor(options: PushQueueOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  get queued(): number {
    return this.#ready.length + this.#waiting.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves with the push's final outcome; never rejects. */
  push(delivery: PushDelivery, provider: PushProvider): Promise<FinalOutcome> {
    return new Promise((resolve) => {
      if (this.#closed) {
        resolve({ kind: 'failed', reason: 'closed' });
        return;
      }
      if (this.queued >= this.#options.settings.limit) this.#dropOldest();
      this.#ready.push({
        delivery,
        provider,
        done: resolve,
        attempts: 0,
        firstTryAt: undefined,
        timer: undefined,
      });
      this.#pump();
    });
  }

  /** Ends every waiting push as failed; pushes being sent finish (their providers are closed by the caller). */
  close(): void {
    this.#closed = true;
    for (const job of [...this.#ready, ...this.#waiting]) {
      job.timer?.cancel();
      job.done({ kind: 'failed', reason: 'closed' });
    }
    this.#ready.length = 0;
    this.#waiting.clear();
  }

  #dropOldest(): void {
    // The oldest ready push first: one waiting for a retry has had its chance already, but it is newer work
    // only if nothing is ready at all.
    const job = this.#ready.shift() ?? this.#waiting.values().next().value;
    if (job === undefined) return;
    job.timer?.cancel();
    this.#waiting.delete(job);
    this.#options.stats.count(job.provider.kind, 'dropped');
    this.#options.logger?.warn(
      { account: job.delivery.target.account, provider: job.provider.kind },
      'push dropped: queue full',
    );
    job.done({ kind: 'failed', reason: 'dropped: queue full' });
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight < this.#options.settings.concurrency) {
      const job = this.#ready.shift();
      if (job === undefined) return;
      this.#inFlight++;
      void this.#send(job).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #send(job: Job): Promise<void> {
    const { clock, stats, logger } = this.#options;
    job.firstTryAt ??= clock.now();
    job.attempts++;
    let outcome: PushOutcome;
    try {
      outcome = await job.provider.send(job.delivery);
    } catch (error) {
      // The seam says providers never throw; one that does is a bug, not a reason to lose the dispatcher.
      logger?.error({ err: error, provider: job.provider.kind }, 'push provider threw');
      outcome = { kind: 'failed', reason: 'provider error' };
    }
    if (outcome.kind !== 'retry') {
      if (outcome.kind === 'sent') stats.count(job.provider.kind, 'sent');
      // A token that is gone is a push not delivered too (its removal is counted apart).
      else stats.count(job.provider.kind, 'failed');
      job.done(outcome);
      return;
    }
    const delay = retryDelayMs(
      job.attempts,
      this.#options.settings.backoff ?? DEFAULT_BACKOFF,
      this.#random(),
      outcome.afterMs,
    );
    if (this.#closed || clock.now() + delay - job.firstTryAt > this.#options.settings.retryWindowMs) {
      stats.count(job.provider.kind, 'failed');
      job.done({ kind: 'failed', reason: `gave up after ${String(job.attempts)} tries: ${outcome.reason}` });
      return;
    }
    stats.count(job.provider.kind, 'retried');
    logger?.debug(
      { account: job.delivery.target.account, provider: job.provider.kind, reason: outcome.reason, delay },
      'push retried later',
    );
    this.#waiting.add(job);
    job.timer = clock.schedule(delay, () => {
      job.timer = undefined;
      if (!this.#waiting.delete(job)) return;
      this.#ready.push(job);
      this.#pump();
    });
  }
}
