/**
 * The Cassandra journal's reads: pages are slices of the account's partition by clustering key, the counters
 * its static columns. Inputs arrive checked (CheckedJournalStore). The writer reads through here too.
 */
import { decodeCursor, encodeCursor, JOURNAL_START } from '../journal/cursor.js';
import { checkAppendEach, type JournalReader } from '../journal/reader.js';
import type {
  AppendCheck,
  HistoryPage,
  HistoryQuery,
  JournalEntry,
  JournalPage,
  JournalUsage,
  ReadBounds,
  UnreadCounts,
} from '../journal/types.js';
import {
  COLUMNS,
  decodeEntry,
  ENTRY,
  entryKey,
  ID,
  num,
  readJournalState,
  unreadTotal,
  within,
} from './journal-rows.js';
import type { CassandraSession } from './session.js';

export class CassandraJournalReader implements JournalReader {
  readonly #session: CassandraSession;
  readonly #t: string;

  constructor(session: CassandraSession, table: string) {
    this.#session = session;
    this.#t = table;
  }

  checkAppend(accounts: readonly string[], messageId: string): Promise<AppendCheck[]> {
    return checkAppendEach(this, accounts, messageId);
  }

  get(account: string, messageId: string): Promise<JournalEntry | undefined> {
    return this.byId(account, messageId);
  }

  async unread(account: string): Promise<UnreadCounts> {
    const state = await readJournalState(this.#session, this.#t, account);
    const conversations = new Map([...state.unread].filter(([, n]) => n > 0));
    return { total: unreadTotal(state), conversations };
  }

  async count(account: string): Promise<number> {
    return (await readJournalState(this.#session, this.#t, account)).entries;
  }

  async usage(account: string): Promise<JournalUsage> {
    const state = await readJournalState(this.#session, this.#t, account);
    return { entries: state.entries, contentBytes: state.bytes };
  }

  async contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>> {
    const counts = new Map<string, number>();
    for (const entry of await this.all(account)) {
      counts.set(entry.contentType, (counts.get(entry.contentType) ?? 0) + 1);
    }
    return counts;
  }

  latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    return this.before(account, Number.MAX_SAFE_INTEGER, limit, JOURNAL_START, bounds);
  }

  async before(
    account: string,
    seq: number,
    limit: number,
    given: string,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    const rows = await this.#session.rows(
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key < ? ` +
        'ORDER BY kind DESC, key DESC LIMIT ?',
      [account, entryKey(seq), limit + 1],
    );
    const { entries, hasMore } = within(
      rows.map((row) => decodeEntry(account, row)),
      limit,
      bounds,
    );
    entries.reverse();
    return { entries, hasMore, next: entries[0]?.cursor ?? given };
  }

  async after(account: string, seq: number, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    const rows = await this.#session.rows(
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key > ? LIMIT ?`,
      [account, entryKey(seq), limit + 1],
    );
    const { entries, hasMore } = within(
      rows.map((row) => decodeEntry(account, row)),
      limit,
      bounds,
    );
    return { entries, hasMore, next: entries.at(-1)?.cursor ?? encodeCursor(seq) };
  }

  async history(account: string, query: HistoryQuery): Promise<HistoryPage> {
    const { messageId, since } = query;
    const wanted = messageId !== undefined && messageId !== null && messageId !== '';
    if (wanted) {
      const seq = await this.#seqOf(account, messageId);
      if (seq !== undefined) {
        return {
          ...(await this.after(account, seq, query.limit, query)),
          from: 'message',
          unknownMessageId: false,
        };
      }
    }
    if (since !== undefined) {
      // createdAt never goes back along the sequence: the first entry after `since` starts the page.
      const first = (await this.all(account)).find((entry) => entry.createdAt > since);
      const page =
        first === undefined
          ? await this.#emptyTail(account)
          : await this.after(account, decodeCursor(first.cursor) - 1, query.limit, query);
      return { ...page, from: 'since', unknownMessageId: wanted };
    }
    return {
      ...(await this.after(account, 0, query.limit, query)),
      from: 'start',
      unknownMessageId: wanted,
    };
  }

  async byId(account: string, messageId: string): Promise<JournalEntry | undefined> {
    const seq = await this.#seqOf(account, messageId);
    if (seq === undefined) return undefined;
    const row = (
      await this.#session.rows(
        `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key = ?`,
        [account, entryKey(seq)],
      )
    )[0];
    return row === undefined ? undefined : decodeEntry(account, row);
  }

  /** Every entry of the account, oldest first (the operations on a conversation scan its partition). */
  async all(account: string): Promise<JournalEntry[]> {
    const rows = await this.#session.rows(
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}'`,
      [account],
    );
    return rows.map((row) => decodeEntry(account, row));
  }

  async oldest(account: string, limit: number): Promise<readonly JournalEntry[]> {
    return (await this.after(account, 0, limit)).entries;
  }

  async #seqOf(account: string, messageId: string): Promise<number | undefined> {
    const row = (
      await this.#session.rows(
        `SELECT seq FROM ${this.#t} WHERE account = ? AND kind = '${ID}' AND key = ?`,
        [account, messageId],
      )
    )[0];
    return num(row?.get('seq'));
  }

  async #emptyTail(account: string): Promise<JournalPage> {
    const newest = (await this.before(account, Number.MAX_SAFE_INTEGER, 1, JOURNAL_START)).entries[0];
    return { entries: [], hasMore: false, next: newest?.cursor ?? JOURNAL_START };
  }
}
