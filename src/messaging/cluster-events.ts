/**
 * The account events of one instance for the devices connected to the others (docs/scaling.md), over the
 * store's notice channel (store/cluster/cluster-store.ts; PostgreSQL: a table and NOTIFY). Events are
 * published in the order they were emitted, one write at a time (with every event queued meanwhile), so that an account's devices elsewhere see a
 * message before its read and removal; a queue that the store cannot keep up with is bounded and drops
 * the newest (the devices catch up with their next sync, which reads the journal).
 */
import type { Logger } from 'pino';
import type { ClusterListener, ClusterStore } from '../store/cluster/cluster-store.js';
import type { Clock } from '../time/clock.js';
import { type DeviceEvent, decodeRemoteEvent, encodeRemoteEvent } from './remote-event.js';
import type { EventFanout } from './subscriptions.js';

const DEFAULT_MAX_QUEUED = 10_000;
/** Events per write at most. */
const PUBLISH_BATCH = 500;
/**
 * A store that stays down fails every read (Cassandra's listener polls four times a second): the first
 * failure is logged with its stack, then one line per this interval with how many failed since.
 */
const READ_ERROR_LOG_INTERVAL_MS = 60_000;

export interface StoreEventFanoutOptions {
  readonly store: ClusterStore;
  /** This instance's id: its own notices are not delivered twice. */
  readonly self: string;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly maxQueued?: number | undefined;
}

export class StoreEventFanout implements EventFanout {
  readonly #options: StoreEventFanoutOptions;
  readonly #queue: string[] = [];
  #publishing: Promise<void> | undefined;
  #dropped = 0;
  #listener: ClusterListener | undefined;
  #readErrors = 0;
  #readErrorLoggedAt: number | undefined;

  constructor(options: StoreEventFanoutOptions) {
    this.#options = options;
  }

  publish(event: DeviceEvent): void {
    if (this.#queue.length >= (this.#options.maxQueued ?? DEFAULT_MAX_QUEUED)) {
      if (this.#dropped++ === 0)
        this.#options.logger?.warn('cluster events queue full: events dropped for the other instances');
      return;
    }
    this.#queue.push(encodeRemoteEvent(event));
    this.#publishing ??= this.#drain().finally(() => {
      this.#publishing = undefined;
    });
  }

  /**
   * Listens to the other instances' events, handing each to `deliver`; again from where it stopped when the
   * connection was lost (call it on every heartbeat: it does nothing while listening).
   */
  async listen(deliver: (event: DeviceEvent) => void): Promise<void> {
    const current = this.#listener;
    if (current !== undefined && !current.broken) return;
    if (current !== undefined) await current.stop();
    this.#listener = await this.#options.store.listen(
      current?.lastId,
      (notice) => {
        if (notice.origin === this.#options.self) return;
        const event = decodeRemoteEvent(notice.payload);
        if (event === undefined)
          this.#options.logger?.warn({ notice: notice.id }, 'cluster notice unreadable');
        else deliver(event);
      },
      (error) => {
        this.#readFailed(error);
      },
    );
  }

  #readFailed(error: unknown): void {
    this.#readErrors++;
    const now = this.#options.clock.now();
    const last = this.#readErrorLoggedAt;
    if (last !== undefined && now - last < READ_ERROR_LOG_INTERVAL_MS) return;
    this.#options.logger?.error(
      { err: error, failedReads: this.#readErrors },
      'reading the other instances’ events failed; trying again',
    );
    this.#readErrorLoggedAt = now;
    this.#readErrors = 0;
  }

  /** Stops listening, once what was queued has been published. */
  async stop(): Promise<void> {
    await this.#publishing;
    await this.#listener?.stop();
    this.#listener = undefined;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      // What queued while the last write was under way goes in one write.
      const payloads = this.#queue.splice(0, PUBLISH_BATCH);
      try {
        await this.#options.store.publish(this.#options.self, payloads, this.#options.clock.now());
      } catch (error) {
        this.#options.logger?.error({ err: error }, 'an event for the other instances was not published');
      }
    }
    if (this.#dropped > 0) {
      this.#options.logger?.warn(
        { dropped: this.#dropped },
        'cluster events dropped while the queue was full',
      );
      this.#dropped = 0;
    }
  }
}
