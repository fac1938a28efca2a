/**
 * Checks and conversions of the values SylkServer wrote (sylk spec §3.2, §3.3, §3.10): its naive local times
 * (`2024-05-01 10:00:00.123456`, server-local, which is how the reference reads them back), message
 * timestamps (`2024-05-01 10:00:00.123000+00:00`), directions, states and dispositions. Results as unions or
 * undefined; nothing throws.
 */
import { parseTimestamp } from '../../messaging/formats/timestamp-parse.js';
import { formatTimestamp } from '../../messaging/formats/timestamp.js';
import { DIRECTIONS, type Direction, ENTRY_STATES, type EntryState } from '../../store/journal/types.js';
import type { LegacyEntry } from './legacy-data.js';

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * A SylkServer time as UTC ms: a naive one in this machine's time zone (run the import with `TZ=` set to
 * the old server's zone if it differs), one with an offset as written.
 */
export function legacyTime(text: string): number | undefined {
  const naive = NAIVE.exec(text);
  if (naive !== null) {
    const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = naive.slice(1, 7).map(Number);
    const ms = Number((naive[7] ?? '0').padEnd(6, '0').slice(0, 3));
    const date = new Date(y, mo - 1, d, h, mi, s, ms);
    // Date rolls 2024-02-30 over into March: such a value is not a time.
    return date.getMonth() !== mo - 1 || date.getDate() !== d ? undefined : date.getTime();
  }
  const parsed = parseTimestamp(text.replace(' ', 'T'));
  if (parsed === undefined) return undefined;
  const ms = Date.parse(formatTimestamp(parsed));
  return Number.isNaN(ms) ? undefined : ms;
}

/** A message timestamp as ISO-8601 in Python's isoformat (the form missive keeps and clients get). */
export function legacyTimestamp(text: string): string | undefined {
  const parsed = parseTimestamp(text.replace(' ', 'T'));
  return parsed === undefined ? undefined : formatTimestamp(parsed);
}

/** UTC ms as Python's isoformat of an aware UTC datetime (Cassandra's timestamps, sylk spec §3.2). */
export function utcTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  const micro = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}${micro}+00:00`;
}

export type LegacyEntryCheck =
  | { readonly ok: true; readonly entry: LegacyEntry }
  | { readonly ok: false; readonly problem: string };

export interface RawLegacyEntry {
  readonly messageId: unknown;
  readonly contact: unknown;
  readonly direction: unknown;
  readonly contentType: unknown;
  readonly content: unknown;
  /** UTC ms, already converted by the source. */
  readonly createdAt: number | undefined;
  readonly disposition: unknown;
  readonly state: unknown;
  /** ISO-8601 text, already converted by the source. */
  readonly timestamp: string | undefined;
}

/** One journal entry as a source read it, checked field by field. */
export function checkLegacyEntry(raw: RawLegacyEntry): LegacyEntryCheck {
  const { messageId, contact, direction, contentType, content, createdAt, disposition, state, timestamp } =
    raw;
  if (typeof messageId !== 'string' || messageId === '') return problem('no message_id');
  if (typeof contact !== 'string') return problem(`${messageId}: no contact`);
  if (typeof contentType !== 'string' || contentType === '') return problem(`${messageId}: no content_type`);
  if (typeof content !== 'string') return problem(`${messageId}: content is not text`);
  if (createdAt === undefined) return problem(`${messageId}: created_at is not a time`);
  if (timestamp === undefined) return problem(`${messageId}: msg_timestamp is not a time`);
  const dir = DIRECTIONS.find((known) => known === (direction ?? ''));
  if (dir === undefined) return problem(`${messageId}: unknown direction ${String(direction)}`);
  const entryState = state === null || state === undefined || state === '' ? null : stateOf(state);
  if (entryState === undefined) return problem(`${messageId}: unknown state ${String(state)}`);
  const list = dispositionOf(disposition);
  if (list === undefined) return problem(`${messageId}: disposition is not a list of strings`);
  return {
    ok: true,
    entry: {
      messageId,
      contact,
      direction: dir satisfies Direction,
      contentType,
      content,
      createdAt,
      disposition: list,
      state: entryState,
      timestamp,
    },
  };
}

function stateOf(state: unknown): EntryState | undefined {
  return ENTRY_STATES.find((known) => known === state);
}

/** sylk spec §3.4 step 5: the file backend's `""` is an empty list; null stays null. */
function dispositionOf(value: unknown): readonly string[] | null | undefined {
  if (value === null || value === undefined) return null;
  if (value === '') return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

function problem(text: string): LegacyEntryCheck {
  return { ok: false, problem: text };
}
