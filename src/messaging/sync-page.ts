/**
 * sylk spec §1.4.8 and §3.6: the caller's journal after a message id (else since a time), oldest first, as
 * the journal `Message` objects of sylk spec §1.5.2. Bounded twice, so that one request cannot make the
 * server read a whole journal into one answer: by count (`maxMessages`, also the default when the client
 * asks for none, as the reference's 5000) and by content bytes (`maxContentBytes`); `hasMore` says that more
 * follow, and the client pages on from the last message_id.
 */
import type { JournalStore } from '../store/journal/journal-store.js';
import type { JournalEntry } from '../store/journal/types.js';
import { formatTimestamp, parseTimestamp, timestampToEpochMs } from './formats/index.js';
import type { JournalMessage, ServiceResult, SyncPage, SyncQuery } from './service.js';

export interface SyncLimits {
  /** The most messages one sync answers with (default 5000, sylk spec §1.4.8's default limit). */
  readonly maxMessages: number;
  /** The most content bytes one sync answers with; the first message always goes (default 8 MiB). */
  readonly maxContentBytes: number;
}

export const DEFAULT_SYNC_LIMITS: SyncLimits = { maxMessages: 5000, maxContentBytes: 8 * 1024 * 1024 };

export async function syncPage(
  journal: JournalStore,
  account: string,
  query: SyncQuery,
  limits: SyncLimits,
): Promise<ServiceResult<SyncPage>> {
  let since: number | undefined;
  if (query.since !== undefined) {
    const parsed = parseTimestamp(query.since);
    if (parsed === undefined) return { ok: false, refusal: { kind: 'invalid', reason: 'Invalid Since' } };
    since = timestampToEpochMs(parsed);
  }
  const asked = query.limit;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 0))
    return { ok: false, refusal: { kind: 'invalid', reason: 'Invalid Limit' } };
  const limit = Math.min(asked ?? limits.maxMessages, limits.maxMessages);
  if (limit === 0) return { ok: true, value: { messages: [], hasMore: false } };
  const page = await journal.history(account, {
    messageId: query.messageId ?? null,
    since,
    limit,
    maxContentBytes: limits.maxContentBytes,
  });
  const messages = page.entries.map(journalMessage);
  return { ok: true, value: { messages, hasMore: page.hasMore } };
}

/**
 * A stored timestamp as Python's isoformat() renders it (sylk spec §3.2: microseconds only when non-zero, the
 * offset it was written with, naive stays naive); one the reader does not understand is passed through as
 * stored (sylk spec §8.10: lenient on read) rather than failing the whole answer (sylk spec §1.4.8,
 * recommended).
 */
export function renderTimestamp(stored: string): string {
  const parsed = parseTimestamp(stored);
  return parsed === undefined ? stored : formatTimestamp(parsed);
}

/**
 * The Message object of an entry, as the WS sync, the HTTP history and the journal routes send it (sylk spec
 * §1.5.2, §4.1).
 */
export function journalMessage(entry: JournalEntry): JournalMessage {
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
