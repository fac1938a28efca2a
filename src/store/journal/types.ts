/**
 * The message journal's vocabulary (sylk spec §3.1, §3.3): one ordered log per account of its messages and of
 * the operations on them, which every device of the account replays to the same state.
 */

/** `''` for the operations on a whole conversation (read, remove). */
export type Direction = 'incoming' | 'outgoing' | '';
export const DIRECTIONS: readonly Direction[] = ['incoming', 'outgoing', ''];

/** What updateState moves an outgoing message through (sylk spec §3.5, forward only: see state.ts). */
export type DeliveryState = 'pending' | 'accepted' | 'delivered' | 'displayed' | 'failed' | 'error';
export const DELIVERY_STATES: readonly DeliveryState[] = [
  'pending',
  'accepted',
  'delivered',
  'displayed',
  'failed',
  'error',
];

/** A stored entry's state: an incoming copy is `received` for ever; operation records have none (null). */
export type EntryState = DeliveryState | 'received';
export const ENTRY_STATES: readonly EntryState[] = [...DELIVERY_STATES, 'received'];

/** An entry as the messaging layer hands it to append (sylk spec §3.4's arguments). */
export interface NewEntry {
  /** Unique within the account: a second append with the same id stores nothing. */
  readonly messageId: string;
  /** The other party's AOR (for conversation operations: the conversation's). */
  readonly contact: string;
  readonly direction: Direction;
  readonly contentType: string;
  /** The body as text (binary content is latin-1 text, sylk spec §1.4.6). */
  readonly content: string;
  /** IMDN Disposition-Notification values; null when the message asked for none. */
  readonly disposition: readonly string[] | null;
  readonly state: EntryState | null;
  /** The message's own ISO-8601 timestamp, kept as given (with its offset) for the clients (sylk spec §3.2). */
  readonly timestamp: string;
}

export interface JournalEntry extends NewEntry {
  readonly account: string;
  /** This entry's position: after(account, cursor) returns what follows it, before() what precedes it. */
  readonly cursor: string;
  /**
   * When it was stored: the caller's clock in UTC milliseconds, never below the account's previous entry's,
   * so that ordering by storage time and by position agree (legacy `since` queries rely on it).
   */
  readonly createdAt: number;
  /** Whether it counts in the account's unread counters (see state.ts). */
  readonly unread: boolean;
}

/** `duplicate`: the account already had an entry with this messageId; nothing was written. */
export type AppendOutcome = 'stored' | 'duplicate';

export interface AppendResult {
  readonly outcome: AppendOutcome;
  /** The entry as stored: for a duplicate, the earlier one, unchanged. */
  readonly entry: JournalEntry;
  /**
   * Only for a stored item that asked (AppendItem.countUnread): the account's unread total
   * (UnreadCounts.total) as the transaction that stored it left it, every item of that transaction counted.
   */
  readonly unreadTotal?: number;
}

export interface AppendItem {
  readonly account: string;
  readonly entry: NewEntry;
  /** When it is stored, if not the batch's `now`: the import keeps the time the old server stored it. */
  readonly now?: number;
  /**
   * Also count the account's unread total in the append's own transaction (AppendResult.unreadTotal), so
   * that a caller who needs it reads nothing more.
   */
  readonly countUnread?: boolean;
}

/** What an account's journal says about a message about to be appended to it (JournalStore.checkAppend). */
export interface AppendCheck {
  readonly account: string;
  /** The account's entry with the message's id, if it has one. */
  readonly existing: JournalEntry | undefined;
  readonly usage: JournalUsage;
}

/** Entries always oldest first. */
export interface JournalPage {
  readonly entries: readonly JournalEntry[];
  /** Whether more entries lie beyond this page, in the direction it was read. */
  readonly hasMore: boolean;
  /**
   * Where to continue in the same direction: for after(), the position after the last entry returned (the
   * given cursor when none was); for latest() and before(), the position of the oldest entry returned.
   */
  readonly next: string;
}

/** Bounds a read by size as well as by count (the HTTP pages, sylk spec §8.41). */
export interface ReadBounds {
  /**
   * Entries are taken while the UTF-8 bytes of their contents sum to at most this, the first always,
   * whatever its size, so that no entry is unreachable. A page it cuts short has hasMore true.
   */
  readonly maxContentBytes?: number | undefined;
}

/** The legacy query of the HTTP history and WS sync requests (sylk spec §3.6). */
export interface HistoryQuery extends ReadBounds {
  /** Entries after this message's position, when the account has it. Wins over `since`. */
  readonly messageId?: string | null | undefined;
  /** Else entries stored strictly after this time (UTC milliseconds). */
  readonly since?: number | undefined;
  /** At most this many, oldest first. */
  readonly limit: number;
}

export interface HistoryPage extends JournalPage {
  /** What the entries follow: the given message, the `since` time, or the start of the journal. */
  readonly from: 'message' | 'since' | 'start';
  /** A messageId was given that the account does not have (the reference then falls back silently, sylk spec §8.8). */
  readonly unknownMessageId: boolean;
}

export type UpdateResult =
  | { readonly outcome: 'absent' }
  /** `updated`: the state or the disposition changed; `unchanged`: the update did not apply (sylk spec §3.5). */
  | { readonly outcome: 'updated' | 'unchanged'; readonly entry: JournalEntry };

export interface UnreadCounts {
  /** The push badge: every unread message of the account. */
  readonly total: number;
  /** Per conversation contact; only conversations with unread messages. */
  readonly conversations: ReadonlyMap<string, number>;
}

/** Options of the operations that may journal a record of themselves in the same transaction. */
export interface OperationOptions {
  /** The caller's clock, UTC milliseconds (the record's createdAt). */
  readonly now: number;
  /**
   * The operation's journal entry (`application/sylk-conversation-read`…), appended after the operation in
   * the same transaction, so a device replaying the journal never misses an operation that took effect.
   */
  readonly record?: NewEntry;
}

export interface RemoveMessageOptions {
  readonly now: number;
  /** Remove only an entry that also has this contact and direction (unsend checks the sender, sylk spec §8.34). */
  readonly match?: { readonly contact?: string; readonly direction?: Direction };
  /**
   * As OperationOptions.record; a function gets the removed entry (undefined when none was) and returns the
   * record, or undefined to journal nothing.
   */
  readonly record?: NewEntry | ((removed: JournalEntry | undefined) => NewEntry | undefined);
}

export interface RemoveMessageResult {
  readonly removed: JournalEntry | undefined;
  readonly record: AppendResult | undefined;
}

/** What an account's journal holds, kept by every write (the quota check reads it per message). */
export interface JournalUsage {
  readonly entries: number;
  /** The UTF-8 bytes of the entries' contents. */
  readonly contentBytes: number;
}

export interface ConversationResult {
  /** Entries changed (read: dispositions cleared) or removed. */
  readonly count: number;
  readonly record: AppendResult | undefined;
}
