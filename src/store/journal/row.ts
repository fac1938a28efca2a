/**
 * A journal entry as a row, the same columns in every SQL backend. The disposition is JSON text (null stays
 * NULL): it is only ever read and written whole.
 */
import type { SqlValue } from '../../sql/value.js';
import { StoreError } from '../errors.js';
import { encodeCursor } from './cursor.js';
import {
  DIRECTIONS,
  type Direction,
  ENTRY_STATES,
  type EntryState,
  type JournalEntry,
  type NewEntry,
} from './types.js';

/** What a read selects, in this order. */
export const ENTRY_COLUMNS = [
  'account',
  'seq',
  'message_id',
  'contact',
  'direction',
  'content_type',
  'content',
  'disposition',
  'state',
  'msg_timestamp',
  'created_at',
  'unread',
] as const;

type Column = (typeof ENTRY_COLUMNS)[number];
type Row = readonly unknown[];

const INDEX = Object.fromEntries(ENTRY_COLUMNS.map((column, i) => [column, i])) as Record<Column, number>;

/** The values of ENTRY_COLUMNS for a new row. */
export function entryRowValues(
  account: string,
  seq: number,
  entry: NewEntry,
  createdAt: number,
  unread: boolean,
): SqlValue[] {
  return [
    account,
    seq,
    entry.messageId,
    entry.contact,
    entry.direction,
    entry.contentType,
    entry.content,
    encodeDisposition(entry.disposition),
    entry.state,
    entry.timestamp,
    createdAt,
    unread ? 1 : 0,
  ];
}

export function encodeDisposition(disposition: readonly string[] | null): string | null {
  return disposition === null ? null : JSON.stringify(disposition);
}

/** The entry a stored row holds, given back as a fresh object; throws StoreError for a row no writer made. */
export function decodeEntryRow(row: Row): JournalEntry {
  const direction = string(row, 'direction');
  if (!(DIRECTIONS as readonly string[]).includes(direction)) corrupt('direction');
  const state = row[INDEX.state];
  if (state !== null && !(ENTRY_STATES as readonly unknown[]).includes(state)) corrupt('state');
  return {
    account: string(row, 'account'),
    cursor: encodeCursor(integer(row, 'seq')),
    messageId: string(row, 'message_id'),
    contact: string(row, 'contact'),
    direction: direction as Direction,
    contentType: string(row, 'content_type'),
    content: content(row[INDEX.content]),
    disposition: decodeDisposition(row[INDEX.disposition]),
    state: state as EntryState | null,
    timestamp: string(row, 'msg_timestamp'),
    createdAt: integer(row, 'created_at'),
    unread: integer(row, 'unread') === 1,
  };
}

export function decodeDisposition(value: unknown): string[] | null {
  if (value === null) return null;
  if (typeof value !== 'string') corrupt('disposition');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    corrupt('disposition');
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) corrupt('disposition');
  return parsed;
}

/** The sequence number of a row. */
export function rowSeq(row: Row): number {
  return integer(row, 'seq');
}

/** SQLite's TEXT arrives as a string; PostgreSQL's BYTEA (see its migration) as a Buffer of UTF-8. */
function content(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return corrupt('content');
}

function corrupt(column: Column): never {
  throw new StoreError(`a journal row has an unreadable ${column}`);
}

function string(row: Row, column: Column): string {
  const value = row[INDEX[column]];
  return typeof value === 'string' ? value : corrupt(column);
}

/** PostgreSQL's BIGINT arrives as a string; ours stay below 2^53. */
export function toInteger(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' || typeof value === 'bigint'
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A number a statement of ours returns (a sequence number, a time); StoreError if it is not one. */
export function requireInteger(value: unknown, what: string): number {
  const n = toInteger(value);
  if (n === undefined) throw new StoreError(`the database returned an unreadable ${what}`);
  return n;
}

function integer(row: Row, column: Column): number {
  return toInteger(row[INDEX[column]]) ?? corrupt(column);
}
