/**
 * Journal entries as the HTTP history and the WS sync serialise them (sylk spec §4.1, §1.4.8): the Message
 * object's eight keys, `timestamp` rendered as Python's isoformat() (sylk spec §3.2: microseconds only when non-zero,
 * the offset it was written with, naive stays naive). A timestamp the reader does not understand is passed
 * through as stored rather than failing the whole answer (sylk spec §8.10: lenient on read).
 */
import { formatTimestamp } from '../messaging/formats/timestamp.js';
import { parseTimestamp } from '../messaging/formats/timestamp-parse.js';
import type { JournalEntry } from '../store/journal/types.js';

export interface MessageJson {
  readonly contact: string;
  readonly timestamp: string;
  readonly disposition: readonly string[] | null;
  readonly message_id: string;
  readonly content_type: string;
  readonly content: string;
  readonly direction: string;
  readonly state: string | null;
}

export function renderTimestamp(stored: string): string {
  const parsed = parseTimestamp(stored);
  return parsed === undefined ? stored : formatTimestamp(parsed);
}

export function messageJson(entry: JournalEntry): MessageJson {
  return {
    contact: entry.contact,
    timestamp: renderTimestamp(entry.timestamp),
    disposition: entry.disposition,
    message_id: entry.messageId,
    content_type: entry.contentType,
    content: entry.content,
    direction: entry.direction,
    state: entry.state,
  };
}
