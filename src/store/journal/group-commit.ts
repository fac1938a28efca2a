/**
 * Group commit for the journal's appends: appends that arrive while a commit is in flight (or, on a
 * synchronous driver, during the same turn of the event loop) are written together in the next single
 * transaction, so a burst of N stored MESSAGEs costs one disk sync instead of N. Each caller's promise
 * resolves only when the transaction holding its items has committed (durable, as JournalStore promises),
 * and a failed transaction rejects exactly the callers whose items it held. One transaction is in flight at
 * a time, and groups are formed in arrival order, so the appends to one account are numbered in the order
 * they were made, as they were without grouping.
 */
import { StoreError } from '../errors.js';
import type { JournalWriter, PurgedChunk } from './writer.js';
import type {
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  NewEntry,
  OperationOptions,
  RemoveMessageOptions,
  RemoveMessageResult,
  UpdateResult,
} from './types.js';

/** An append with the caller's own time, so that one transaction can hold the appends of many callers. */
export interface TimedAppendItem extends AppendItem {
  readonly now: number;
}

/** A batch's items with their times: each its own (an import keeps the old server's), else the batch's. */
export function timedAppendItems(items: readonly AppendItem[], now: number): TimedAppendItem[] {
  return items.map((item) => ({ ...item, now: item.now ?? now }));
}

/** What a backend writes one group with: every item in one transaction, results in the items' order. */
export interface GroupAppender {
  appendGroup(items: readonly TimedAppendItem[]): Promise<AppendResult[]>;
}

export interface GroupCommitOptions {
  /**
   * Items one transaction holds at most (a caller's batch is never split, so one larger batch is a
   * group of its own): bounds how long the transaction holds its locks.
   */
  readonly maxItems: number;
  /**
   * When a gathered group is written. PostgreSQL: a microtask, so that the appends of one synchronous
   * burst go together and later ones gather while the commit is in flight. SQLite commits synchronously,
   * so nothing can arrive during a commit: the group is written after the event loop's I/O of this turn
   * (setImmediate), when every request read in the turn has made its append.
   */
  readonly schedule: (flush: () => void) => void;
  /** Told the size of each group once it committed (for metrics and tests). */
  readonly onCommit?: (items: number) => void;
}

export const DEFAULT_GROUP_ITEMS = 1000;

interface Waiting {
  readonly items: readonly TimedAppendItem[];
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: unknown) => void;
}

/** The JournalWriter `writer`, its appends grouped; every other write passes straight through. */
export class GroupCommitWriter implements JournalWriter {
  readonly #writer: JournalWriter & GroupAppender;
  readonly #options: GroupCommitOptions;
  #waiting: Waiting[] = [];
  /** A group is being written, or one is scheduled: the next appends wait for it. */
  #busy = false;
  readonly #flushLater = (): void => {
    this.#flush();
  };

  constructor(writer: JournalWriter & GroupAppender, options: GroupCommitOptions) {
    this.#writer = writer;
    this.#options = options;
  }

  async append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    const [result] = await this.#submit([{ account, entry, now }]);
    if (result === undefined) throw new StoreError('append stored nothing');
    return result;
  }

  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    return this.#submit(timedAppendItems(items, now));
  }

  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    return this.#writer.updateState(account, messageId, state);
  }

  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#writer.markConversationRead(account, contact, options);
  }

  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    return this.#writer.removeMessage(account, messageId, options);
  }

  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#writer.removeConversation(account, contact, options);
  }

  removeAll(account: string): Promise<number> {
    return this.#writer.removeAll(account);
  }

  purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk> {
    return this.#writer.purgeChunk(cutoff, limit);
  }

  #submit(items: readonly TimedAppendItem[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ items, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        this.#options.schedule(this.#flushLater);
      }
    });
  }

  /** Writes the oldest waiting requests that fit in one group, then the next group, until none waits. */
  #flush(): void {
    const group = this.#take();
    if (group.length === 0) {
      this.#busy = false;
      return;
    }
    const items = group.length === 1 ? (group[0]?.items ?? []) : group.flatMap((waiting) => waiting.items);
    // A synchronous driver can throw before a promise exists: that too fails this group only.
    const written = new Promise<AppendResult[]>((resolve) => {
      resolve(this.#writer.appendGroup(items));
    });
    written.then(
      (results) => {
        this.#options.onCommit?.(items.length);
        let at = 0;
        for (const waiting of group) {
          waiting.resolve(results.slice(at, at + waiting.items.length));
          at += waiting.items.length;
        }
        this.#next();
      },
      (error: unknown) => {
        for (const waiting of group) waiting.reject(error);
        this.#next();
      },
    );
  }

  #next(): void {
    if (this.#waiting.length === 0) this.#busy = false;
    else this.#options.schedule(this.#flushLater);
  }

  /** The oldest requests whose items fit in maxItems; always at least one. */
  #take(): Waiting[] {
    let count = 0;
    let n = 0;
    for (const waiting of this.#waiting) {
      if (n > 0 && count + waiting.items.length > this.#options.maxItems) break;
      count += waiting.items.length;
      n++;
    }
    const group = this.#waiting.slice(0, n);
    this.#waiting = this.#waiting.slice(n);
    return group;
  }
}
