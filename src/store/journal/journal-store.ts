/**
 * The message journal (sylk spec §3.3–§3.7). Accounts are compared exactly (the messaging layer normalises
 * AORs); every read and write names its account, so one account never sees another's entries, whatever
 * cursor it is given. Times are the caller's (UTC milliseconds): the store never reads a clock. A promise
 * that resolved means the write is durable. Malformed input rejects with InvalidInputError before anything is
 * written; every other failure is a StoreError.
 */
import type {
  AppendCheck,
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  HistoryPage,
  HistoryQuery,
  JournalEntry,
  JournalPage,
  JournalUsage,
  NewEntry,
  OperationOptions,
  ReadBounds,
  RemoveMessageOptions,
  RemoveMessageResult,
  UnreadCounts,
  UpdateResult,
} from './types.js';

/** Bounds a page (the HTTP history serves 5000). */
export const MAX_PAGE_SIZE = 10_000;
/** Bounds one appendBatch: one transaction, well within the PostgreSQL store's per-statement time bound. */
export const MAX_BATCH = 10_000;
/** Bounds one checkAppend (the admission asks for a MESSAGE's two sides). */
export const MAX_CHECKED_ACCOUNTS = 10;
/** Retention default (Cassandra's table TTL in the reference): purge with retentionCutoff(now). */
export const DEFAULT_RETENTION_MS = 365 * 24 * 3600 * 1000;

export function retentionCutoff(now: number, retentionMs: number = DEFAULT_RETENTION_MS): number {
  return now - retentionMs;
}

export interface JournalStore {
  /**
   * Appends at the end of the account's journal, once per (account, messageId): a second append of the
   * same id stores nothing and returns the first entry as 'duplicate'. A new incoming message that asks for
   * `display` counts as unread in the same transaction.
   */
  append(account: string, entry: NewEntry, now: number): Promise<AppendResult>;
  /** append() of each item in one transaction (one disk sync); results in the items' order. At most MAX_BATCH. */
  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]>;
  get(account: string, messageId: string): Promise<JournalEntry | undefined>;
  /**
   * Sylk spec §3.5 update, forward only: pending < accepted < delivered < displayed; failed and error only
   * from pending or accepted, and final; received never changes. Independently, `delivered` removes
   * `positive-delivery` from the disposition and `displayed` empties it (an unread message stops counting).
   */
  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult>;
  /** Empties the disposition of every entry of the conversation and resets its unread count. */
  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult>;
  /** Removes the account's entry with this id (the messaging layer has decided the caller may). */
  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult>;
  /** Removes every entry of the conversation (all content types), then appends the record if given. */
  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult>;
  /** Removes every entry of the account and its unread counters; how many entries. */
  removeAll(account: string): Promise<number>;
  /**
   * For each account, in the order given: its entry with `messageId` and its usage, what the admission
   * reads before a MESSAGE is stored (the id is unique per account, sylk spec §3.3; the quota). One round
   * trip on PostgreSQL, whatever the number of accounts. At most MAX_CHECKED_ACCOUNTS.
   */
  checkAppend(accounts: readonly string[], messageId: string): Promise<AppendCheck[]>;
  /** Kept by every write, never computed by scanning the journal. */
  unread(account: string): Promise<UnreadCounts>;
  /**
   * The newest `limit` entries (a fresh device); hasMore: older entries exist (continue with before()).
   * With `bounds`, also within a size (counted from the newest): see ReadBounds.
   */
  latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage>;
  /** The newest `limit` entries before `cursor`. */
  before(account: string, cursor: string, limit: number, bounds?: ReadBounds): Promise<JournalPage>;
  /** The oldest `limit` entries after `cursor` (undefined: from the start); hasMore: newer entries exist. */
  after(
    account: string,
    cursor: string | undefined,
    limit: number,
    bounds?: ReadBounds,
  ): Promise<JournalPage>;
  /** Sylk spec §3.6: after a message, else after a time, else from the start; `limit` at a time, never silently cut. */
  history(account: string, query: HistoryQuery): Promise<HistoryPage>;
  /** How many entries the account has. */
  count(account: string): Promise<number>;
  /**
   * How many entries the account has and the bytes of their contents, from counters that every write
   * (append, removals, purge) keeps in the same transaction: one row read, whatever the journal's size.
   */
  usage(account: string): Promise<JournalUsage>;
  /** The account's entries counted by content type (sylk-db show). */
  contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>>;
  /**
   * Deletes every entry stored before `cutoff` (UTC ms; see retentionCutoff), unread counters following, in
   * bounded transactions so that writers are never held up long; how many.
   */
  purgeOlderThan(cutoff: number): Promise<number>;
}
