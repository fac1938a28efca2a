/**
 * The rows of missive_journal: one partition per account holding its entries (kind 'e', keyed by the
 * zero-padded sequence number, which is the cursor), its message-id index (kind 'i') and, in static columns,
 * its state (next sequence number, last createdAt, usage and unread counters, and a version). Shared by the
 * Cassandra journal's reader and writer.
 */
import cassandra from 'cassandra-driver';
import { StoreError } from '../errors.js';
import { encodeCursor } from '../journal/cursor.js';
import type { Direction, EntryState, JournalEntry, ReadBounds } from '../journal/types.js';
import type { CassandraSession, CqlRow } from './session.js';

export const ENTRY = 'e';
export const ID = 'i';
export const COLUMNS =
  'seq, message_id, created_at, contact, direction, content, content_type, disposition, has_disposition, ' +
  'state, msg_timestamp, unread, content_bytes';

/** An account's static columns, as a transaction reads and then rewrites them. */
export interface JournalState {
  version: number | null;
  nextSeq: number;
  lastCreatedAt: number;
  entries: number;
  bytes: number;
  unread: Map<string, number>;
}

export const entryKey = (seq: number): string => seq.toString().padStart(16, '0');
export const bytesOf = (content: string): number => Buffer.byteLength(content, 'utf8');

export async function readJournalState(
  session: CassandraSession,
  table: string,
  account: string,
): Promise<JournalState> {
  const row = (
    await session.rows(
      `SELECT version, next_seq, last_created_at, entry_count, content_total, unread_counts FROM ${table} WHERE account = ? LIMIT 1`,
      [account],
    )
  )[0];
  const unread = new Map<string, number>();
  const counts: unknown = row?.get('unread_counts');
  if (counts !== null && typeof counts === 'object') {
    for (const [contact, n] of Object.entries(counts as Record<string, unknown>))
      unread.set(contact, num(n) ?? 0);
  }
  return {
    version: num(row?.get('version')) ?? null,
    nextSeq: num(row?.get('next_seq')) ?? 1,
    lastCreatedAt: num(row?.get('last_created_at')) ?? 0,
    entries: num(row?.get('entry_count')) ?? 0,
    bytes: num(row?.get('content_total')) ?? 0,
    unread,
  };
}

export function subtractUnread(state: JournalState, contact: string, n: number): void {
  const left = (state.unread.get(contact) ?? 0) - n;
  if (left > 0) state.unread.set(contact, left);
  else state.unread.delete(contact);
}

/** UnreadCounts.total of the state: its conversations' positive counts. */
export function unreadTotal(state: JournalState): number {
  let total = 0;
  for (const n of state.unread.values()) if (n > 0) total += n;
  return total;
}

/** Entries in read order, at most `limit`, and within the size bound (the first always). */
export function within(
  read: JournalEntry[],
  limit: number,
  bounds: ReadBounds | undefined,
): { entries: JournalEntry[]; hasMore: boolean } {
  const max = bounds?.maxContentBytes;
  const entries: JournalEntry[] = [];
  let total = 0;
  for (const entry of read.slice(0, limit)) {
    const bytes = bytesOf(entry.content);
    if (max !== undefined && entries.length > 0 && total + bytes > max) break;
    entries.push(entry);
    total += bytes;
  }
  return { entries, hasMore: read.length > entries.length };
}

export function num(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  // bigint columns read as the driver's Long.
  const n =
    typeof value === 'number' ? value : value instanceof cassandra.types.Long ? value.toNumber() : NaN;
  if (!Number.isSafeInteger(n)) throw new StoreError('a journal row has an unreadable number');
  return n;
}

export function decodeEntry(account: string, row: CqlRow): JournalEntry {
  const seq = num(row.get('seq'));
  const createdAt = num(row.get('created_at'));
  const list: unknown = row.get('disposition');
  const text = (column: string): string => {
    const value: unknown = row.get(column);
    if (typeof value !== 'string') throw new StoreError(`a journal row has no readable ${column}`);
    return value;
  };
  if (seq === undefined || createdAt === undefined) throw new StoreError('a journal row is unreadable');
  const state: unknown = row.get('state');
  return {
    account,
    cursor: encodeCursor(seq),
    messageId: text('message_id'),
    contact: text('contact'),
    direction: text('direction') as Direction,
    contentType: text('content_type'),
    content: text('content'),
    // An empty list reads as null in Cassandra: has_disposition tells [] from null.
    disposition: row.get('has_disposition') === true ? (Array.isArray(list) ? (list as string[]) : []) : null,
    state: typeof state === 'string' ? (state as EntryState) : null,
    timestamp: text('msg_timestamp'),
    createdAt,
    unread: row.get('unread') === true,
  };
}
