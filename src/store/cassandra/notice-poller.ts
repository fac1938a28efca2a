/**
 * A listener of the Cassandra cluster store (cassandra/cluster.ts). Cassandra has no sequence to number the
 * notices by and no NOTIFY to announce them, so the listener polls: notices are partitioned by BUCKET_MS of
 * their writer's clock and clustered by that time, and every POLL_MS the poller reads the notices from its
 * floor onwards and hands over, in key order, those it has not handed over yet. The floor trails the present
 * by LATE_MS: a notice that lands late (a slow write, a writer whose clock is behind) is still read, and the
 * set of notices handed over since the floor (bounded by it) makes each handed over once.
 */
import type { ClusterListener, ClusterNotice } from '../cluster/cluster-store.js';
import type { Clock, Timer } from '../../time/clock.js';

/** The span of writer time one partition of notices holds. */
export const BUCKET_MS = 10_000;
/**
 * How late a notice may land (by the reader's clock, after the time its writer gave it) and still be handed
 * over: twice a request's default time bound (a publish that took that long failed, and was logged), plus
 * how far the instances' clocks may differ. Every poll reads this much again.
 */
export const LATE_MS = 10_000;
/**
 * Between the end of a poll and the start of the next: a notice reaches the other instances within this
 * (plus a read), and an idle instance costs the store a few partition reads per poll.
 */
export const POLL_MS = 250;

export interface StoredNotice {
  /** The writer's time (bucket and first clustering column). */
  readonly createdAt: number;
  /** The writer store's id and its running number: unique, and in publication order for one writer. */
  readonly writer: string;
  readonly seq: number;
  readonly origin: string;
  readonly payload: string;
}

/** Where a poller stands (its listener's lastId): what it reads from next, and what of that it handed over. */
export interface NoticePosition {
  readonly floor: number;
  /** Notice id → createdAt, for the notices at or after `floor` handed over. */
  readonly seen: ReadonlyMap<string, number>;
}

export interface NoticePollerOptions {
  /** The notices of one bucket created at or after `from`. */
  readonly read: (bucket: number, from: number) => Promise<StoredNotice[]>;
  readonly clock: Clock;
  /** How long the store keeps notices, in ms: a floor further back finds nothing. */
  readonly keepMs: number;
  readonly listener: (notice: ClusterNotice) => void;
  /** Told of each failed read (the next poll reads the same notices again). */
  readonly onReadError?: ((error: unknown) => void) | undefined;
}

export const bucketOf = (time: number): number => Math.floor(time / BUCKET_MS);

const idOf = (notice: StoredNotice): string =>
  `${String(notice.createdAt)}/${notice.writer}/${String(notice.seq)}`;

function byKey(a: StoredNotice, b: StoredNotice): number {
  return (
    a.createdAt - b.createdAt || (a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0) || a.seq - b.seq
  );
}

export class NoticePoller {
  readonly #options: NoticePollerOptions;
  #floor: number;
  readonly #seen: Map<string, number>;
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  private constructor(options: NoticePollerOptions, position: NoticePosition) {
    this.#options = options;
    this.#floor = Math.max(position.floor, options.clock.now() - options.keepMs);
    this.#seen = new Map(position.seen);
  }

  /**
   * Listens from `after` (a listener's lastId) or, when undefined, from now on: a first read marks what is
   * stored already as handed over. Resolves once listening; rejects when that first read fails.
   */
  static async listen(
    after: NoticePosition | undefined,
    options: NoticePollerOptions,
  ): Promise<ClusterListener<NoticePosition>> {
    const poller = new NoticePoller(
      options,
      after ?? { floor: options.clock.now() - LATE_MS, seen: new Map() },
    );
    if (after === undefined) await poller.#poll(false);
    poller.#next(after === undefined ? POLL_MS : 0);
    return {
      get lastId(): NoticePosition {
        return { floor: poller.#floor, seen: new Map(poller.#seen) };
      },
      // Never: a failed read is tried again at the next poll from the same floor, and the driver reconnects
      // by itself, so nothing published is missed while the store keeps it.
      broken: false,
      stop: () => poller.#stop(),
    };
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#running;
  }

  /** A method, not the field: a stop comes in while a read awaits. */
  #halted(): boolean {
    return this.#stopped;
  }

  #next(delayMs: number): void {
    if (this.#halted()) return;
    this.#timer = this.#options.clock.schedule(delayMs, () => {
      this.#running = this.#poll(true)
        // A failed read leaves the floor where it was: the next poll reads the same notices and more.
        .catch((error: unknown) => this.#options.onReadError?.(error))
        .finally(() => {
          this.#running = undefined;
          this.#next(POLL_MS);
        });
    });
  }

  async #poll(handOver: boolean): Promise<void> {
    const now = this.#options.clock.now();
    const floor = this.#floor;
    const found: StoredNotice[] = [];
    // Newest bucket first. A writer publishes a notice only once its previous one is stored, so a read that
    // finds a notice in a newer bucket finds that writer's earlier ones in the older buckets read after it.
    // Up to LATE_MS ahead: a writer whose clock is ahead of ours is read at once.
    for (let bucket = bucketOf(now + LATE_MS); bucket >= bucketOf(floor); bucket--) {
      if (this.#halted()) return;
      found.push(...(await this.#options.read(bucket, floor)));
    }
    found.sort(byKey);
    for (const notice of found) {
      if (this.#halted()) return;
      const id = idOf(notice);
      if (this.#seen.has(id)) continue;
      this.#seen.set(id, notice.createdAt);
      if (handOver) this.#options.listener({ id, origin: notice.origin, payload: notice.payload });
    }
    // What was not there at the start of this read, and was created since the new floor, the next read finds.
    this.#floor = Math.max(floor, now - LATE_MS);
    for (const [id, createdAt] of this.#seen) if (createdAt < this.#floor) this.#seen.delete(id);
  }
}
