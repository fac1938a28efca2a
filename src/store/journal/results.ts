/** What the backends make of rows and of the caller's options, alike. */
import { encodeCursor } from './cursor.js';
import { decodeEntryRow, ENTRY_COLUMNS, toInteger } from './row.js';
import type {
  AppendCheck,
  AppendItem,
  AppendResult,
  JournalEntry,
  JournalUsage,
  NewEntry,
  RemoveMessageOptions,
  UnreadCounts,
} from './types.js';
import { validateNewEntry } from './validate.js';

/** The entry append() just wrote, built from its input (copied: the caller may reuse its objects). */
export function storedEntry(
  account: string,
  seq: number,
  entry: NewEntry,
  createdAt: number,
  unread: boolean,
): JournalEntry {
  return {
    account,
    cursor: encodeCursor(seq),
    messageId: entry.messageId,
    contact: entry.contact,
    direction: entry.direction,
    contentType: entry.contentType,
    content: entry.content,
    disposition: entry.disposition === null ? null : [...entry.disposition],
    state: entry.state,
    timestamp: entry.timestamp,
    createdAt,
    unread,
  };
}

export function matches(entry: JournalEntry, match: RemoveMessageOptions['match']): boolean {
  if (match === undefined) return true;
  return (
    (match.contact === undefined || match.contact === entry.contact) &&
    (match.direction === undefined || match.direction === entry.direction)
  );
}

/**
 * The record removeMessage journals. A record made by the caller's function is checked here, inside the
 * transaction: a malformed one throws InvalidInputError and rolls the removal back.
 */
export function recordFor(
  options: RemoveMessageOptions,
  removed: JournalEntry | undefined,
): NewEntry | undefined {
  if (typeof options.record !== 'function') return options.record;
  const record = options.record(removed);
  if (record !== undefined) validateNewEntry(record);
  return record;
}

/** Rows (contact, unread) of the unread table. */
export function unreadCounts(rows: readonly (readonly unknown[])[]): UnreadCounts {
  const conversations = new Map<string, number>();
  let total = 0;
  for (const [contact, unread] of rows) {
    const n = toInteger(unread) ?? 0;
    conversations.set(String(contact), n);
    total += n;
  }
  return { total, conversations };
}

/** Deleted rows (account, contact, unread) → how many unread messages each conversation lost. */
export function unreadLosses(
  rows: readonly (readonly unknown[])[],
): { account: string; contact: string; n: number }[] {
  const byKey = new Map<string, { account: string; contact: string; n: number }>();
  for (const [account, contact, unread] of rows) {
    if (toInteger(unread) !== 1) continue;
    const key = JSON.stringify([account, contact]);
    const found = byKey.get(key);
    if (found === undefined) byKey.set(key, { account: String(account), contact: String(contact), n: 1 });
    else found.n++;
  }
  return [...byKey.values()];
}

/**
 * An append check's row (JournalSql.appendCheck): entries, content_bytes, then the entry's ENTRY_COLUMNS,
 * all null when the account has no entry with the id (seq is never null in a stored entry).
 */
export function appendCheckOf(account: string, row: readonly unknown[] | undefined): AppendCheck {
  const entry = row?.slice(2);
  const found = entry !== undefined && entry[ENTRY_COLUMNS.indexOf('seq')] !== null;
  return { account, existing: found ? decodeEntryRow(entry) : undefined, usage: usageOf(row?.slice(0, 2)) };
}

/** The usage row (entries, content_bytes); an account that never had an entry has none. */
export function usageOf(row: readonly unknown[] | undefined): JournalUsage {
  return {
    entries: Math.max(0, toInteger(row?.[0]) ?? 0),
    contentBytes: Math.max(0, toInteger(row?.[1]) ?? 0),
  };
}

/**
 * `results` (of `items`, in order) with the account's unread total on each stored item that asked for it
 * (AppendItem.countUnread), `total` asked once per account, after the transaction's last append.
 */
export function withUnreadTotals(
  items: readonly AppendItem[],
  results: AppendResult[],
  total: (account: string) => number,
): AppendResult[] {
  const totals = new Map<string, number>();
  items.forEach((item, i) => {
    const result = results[i];
    if (item.countUnread !== true || result?.outcome !== 'stored') return;
    let n = totals.get(item.account);
    if (n === undefined) {
      n = total(item.account);
      totals.set(item.account, n);
    }
    results[i] = { ...result, unreadTotal: n };
  });
  return results;
}
