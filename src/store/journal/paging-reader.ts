/**
 * The journal's reads, written once for every SQL backend over its row source: single entries, counters,
 * and the pages of latest/before/after/history, optionally bounded by size (bounded-read.ts). Inputs are
 * checked by the caller (CheckedJournalStore).
 */
import { encodeCursor, JOURNAL_START } from './cursor.js';
import { rangeOf, type Take, takeWithin } from './bounded-read.js';
import { appendCheckOf, unreadCounts, usageOf } from './results.js';
import { decodeEntryRow, rowSeq, toInteger } from './row.js';
import type { JournalReader } from './reader.js';
import type { JournalRowSource } from './row-source.js';
import type {
  AppendCheck,
  HistoryPage,
  HistoryQuery,
  JournalEntry,
  JournalPage,
  JournalUsage,
  ReadBounds,
  UnreadCounts,
} from './types.js';

/** A sequence number above every stored one: before() from it starts at the newest entry. */
const END = Number.MAX_SAFE_INTEGER;

export class JournalPagingReader implements JournalReader {
  readonly #source: JournalRowSource;

  constructor(source: JournalRowSource) {
    this.#source = source;
  }

  async get(account: string, messageId: string): Promise<JournalEntry | undefined> {
    const row = (await this.#source.rows('byId', [account, messageId]))[0];
    return row === undefined ? undefined : decodeEntryRow(row);
  }

  /** One statement per account (its entry with the id and its usage together). */
  checkAppend(accounts: readonly string[], messageId: string): Promise<AppendCheck[]> {
    return Promise.all(
      accounts.map(async (account) =>
        appendCheckOf(account, (await this.#source.rows('appendCheck', [account, messageId]))[0]),
      ),
    );
  }

  async unread(account: string): Promise<UnreadCounts> {
    return unreadCounts(await this.#source.rows('unread', [account]));
  }

  async count(account: string): Promise<number> {
    return toInteger((await this.#source.rows('count', [account]))[0]?.[0]) ?? 0;
  }

  async usage(account: string): Promise<JournalUsage> {
    return usageOf((await this.#source.rows('usage', [account]))[0]);
  }

  async contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>> {
    const rows = await this.#source.rows('contentTypes', [account]);
    return new Map(rows.map((row) => [String(row[0]), toInteger(row[1]) ?? 0]));
  }

  latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    return this.before(account, END, limit, JOURNAL_START, bounds);
  }

  /** The newest `limit` entries before `seq`, oldest first; `given` is the cursor to return when none. */
  async before(
    account: string,
    seq: number,
    limit: number,
    given: string,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    const maxBytes = bounds?.maxContentBytes;
    if (maxBytes !== undefined) {
      const take = takeWithin(
        await this.#source.rows('beforeSizes', [account, seq, limit + 1]),
        limit,
        maxBytes,
      );
      const oldest = take.seqs.at(-1);
      const next = oldest === undefined ? given : encodeCursor(oldest);
      return { entries: await this.#range(account, take), hasMore: take.hasMore, next };
    }
    const rows = await this.#source.rows('before', [account, seq, limit + 1]);
    const hasMore = rows.length > limit;
    const entries = rows.slice(0, limit).reverse().map(decodeEntryRow);
    return { entries, hasMore, next: entries[0]?.cursor ?? given };
  }

  /** The oldest `limit` entries after `seq`. */
  async after(account: string, seq: number, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    const maxBytes = bounds?.maxContentBytes;
    if (maxBytes !== undefined) {
      const take = takeWithin(
        await this.#source.rows('afterSizes', [account, seq, limit + 1]),
        limit,
        maxBytes,
      );
      const entries = await this.#range(account, take);
      return { entries, hasMore: take.hasMore, next: encodeCursor(take.seqs.at(-1) ?? seq) };
    }
    const rows = await this.#source.rows('after', [account, seq, limit + 1]);
    const hasMore = rows.length > limit;
    const entries = rows.slice(0, limit).map(decodeEntryRow);
    return { entries, hasMore, next: entries.at(-1)?.cursor ?? encodeCursor(seq) };
  }

  /** From the message with this id when the account has it, else from `since`, else from the start. */
  async history(account: string, query: HistoryQuery): Promise<HistoryPage> {
    const { messageId, since } = query;
    const wanted = messageId !== undefined && messageId !== null && messageId !== '';
    if (wanted) {
      const seq = toInteger((await this.#source.rows('seqOf', [account, messageId]))[0]?.[0]);
      if (seq !== undefined) {
        const page = await this.after(account, seq, query.limit, query);
        return { ...page, from: 'message', unknownMessageId: false };
      }
    }
    if (since !== undefined) {
      const first = toInteger((await this.#source.rows('firstSince', [account, since]))[0]?.[0]);
      // Nothing stored after `since`: an empty page that resumes at the end.
      const page =
        first === undefined
          ? await this.#emptyTail(account)
          : await this.after(account, first - 1, query.limit, query);
      return { ...page, from: 'since', unknownMessageId: wanted };
    }
    const page = await this.after(account, 0, query.limit, query);
    return { ...page, from: 'start', unknownMessageId: wanted };
  }

  /** The rows a bounded read took, oldest first (see bounded-read.ts for why two statements suffice). */
  async #range(account: string, take: Take): Promise<JournalEntry[]> {
    const range = rangeOf(take);
    if (range === undefined) return [];
    return (await this.#source.rows('range', [account, ...range])).map(decodeEntryRow);
  }

  /** An empty page positioned after the account's newest entry. */
  async #emptyTail(account: string): Promise<JournalPage> {
    const newest = (await this.#source.rows('before', [account, END, 1]))[0];
    return {
      entries: [],
      hasMore: false,
      next: newest === undefined ? JOURNAL_START : encodeCursor(rowSeq(newest)),
    };
  }
}
