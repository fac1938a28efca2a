/**
 * JournalStore on SQLite. Every write is one IMMEDIATE transaction run inline (better-sqlite3 is
 * synchronous), so it is on disk (synchronous = FULL) when the promise resolves, and a write from another
 * process (the CLI) cannot interleave with it.
 */
import type Database from 'better-sqlite3';
import { checkTime } from '../checks.js';
import { decodeCursor, encodeCursor, JOURNAL_START } from '../journal/cursor.js';
import type { JournalStore } from '../journal/journal-store.js';
import {
  decodeEntryRow,
  encodeDisposition,
  entryRowValues,
  requireInteger,
  rowSeq,
  toInteger,
} from '../journal/row.js';
import { rangeOf, type Take, takeWithin } from '../journal/bounded-read.js';
import { journalSql, nextSequenceSql } from '../journal/sql.js';
import { applyUpdate, countsAsUnread } from '../journal/state.js';
import type {
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
} from '../journal/types.js';
import { matches, recordFor, storedEntry, unreadCounts, unreadLosses, usageOf } from '../journal/results.js';
import {
  checkAccount,
  checkBounds,
  checkDeliveryState,
  checkLimit,
  checkMessageId,
  checkOperation,
  checkRemoveOptions,
  validateBatch,
  validateNewEntry,
} from '../journal/validate.js';
import { JOURNAL_TABLE, tableNamer } from '../tables.js';
import { StoreError } from '../errors.js';
import type { SqliteConnection } from './connection.js';

type Statement = Database.Statement<unknown[], unknown[]>;
/** Rows a purge transaction deletes at most, so that other writers wait milliseconds, not seconds. */
const PURGE_CHUNK = 2000;

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  const table = tableNamer('sqlite');
  const sql = journalSql(table, () => '?');
  const prepare = (text: string): Statement => db.prepare<unknown[], unknown[]>(text);
  const rows = (text: string): Statement => prepare(text).raw(true);
  const journal = table(JOURNAL_TABLE);
  return {
    byId: rows(sql.byId),
    insert: prepare(sql.insert),
    nextSequence: rows(nextSequenceSql(table, () => '?', 'max')),
    addUnread: prepare(sql.addUnread),
    subtractUnread: prepare(sql.subtractUnread),
    dropEmptyUnread: prepare(sql.dropEmptyUnread),
    clearUnread: prepare(sql.clearUnread),
    clearAllUnread: prepare(sql.clearAllUnread),
    unread: rows(sql.unread),
    update: prepare(sql.update),
    remove: prepare(sql.remove),
    markRead: prepare(sql.markRead),
    removeConversation: prepare(sql.removeConversation),
    removeAll: prepare(sql.removeAll),
    after: rows(sql.after),
    before: rows(sql.before),
    afterSizes: rows(sql.afterSizes),
    beforeSizes: rows(sql.beforeSizes),
    range: rows(sql.range),
    seqOf: rows(sql.seqOf),
    firstSince: rows(sql.firstSince),
    count: rows(sql.count),
    usage: rows(sql.usage),
    contentTypes: rows(sql.contentTypes),
    // Oldest first through the created_at index; RETURNING gives what the unread counters lose.
    purge: rows(
      `DELETE FROM ${journal} WHERE rowid IN (SELECT rowid FROM ${journal} ` +
        'WHERE created_at < ? ORDER BY created_at LIMIT ?) RETURNING account, contact, unread',
    ),
  };
}

export class SqliteJournalStore implements JournalStore {
  readonly #connection: SqliteConnection;
  readonly #s: Statements;
  readonly #appendMany: Database.Transaction<(items: readonly AppendItem[], now: number) => AppendResult[]>;
  readonly #update: Database.Transaction<(account: string, id: string, state: DeliveryState) => UpdateResult>;
  readonly #markRead: Database.Transaction<
    (account: string, contact: string, options: OperationOptions) => ConversationResult
  >;
  readonly #removeMessage: Database.Transaction<
    (account: string, id: string, options: RemoveMessageOptions) => RemoveMessageResult
  >;
  readonly #removeConversation: Database.Transaction<
    (account: string, contact: string, options: OperationOptions) => ConversationResult
  >;
  readonly #removeAll: Database.Transaction<(account: string) => number>;
  readonly #purgeChunk: Database.Transaction<(cutoff: number) => number>;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    const db = connection.db;
    this.#s = prepareStatements(db);
    this.#appendMany = db.transaction((items, now) =>
      items.map((item) => this.#appendIn(item.account, item.entry, now)),
    );
    this.#update = db.transaction((account, id, state) => this.#updateIn(account, id, state));
    this.#markRead = db.transaction((account, contact, options) => {
      const count = this.#s.markRead.run(account, contact).changes;
      this.#s.clearUnread.run(account, contact);
      return { count, record: this.#recordIn(account, options.record, options.now) };
    });
    this.#removeMessage = db.transaction((account, id, options) =>
      this.#removeMessageIn(account, id, options),
    );
    this.#removeConversation = db.transaction((account, contact, options) => {
      const count = this.#s.removeConversation.run(account, contact).changes;
      this.#s.clearUnread.run(account, contact);
      return { count, record: this.#recordIn(account, options.record, options.now) };
    });
    this.#removeAll = db.transaction((account) => {
      this.#s.clearAllUnread.run(account);
      return this.#s.removeAll.run(account).changes;
    });
    this.#purgeChunk = db.transaction((cutoff) => this.#purgeIn(cutoff));
  }

  append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    return this.#connection.run(() => {
      checkAccount(account);
      validateNewEntry(entry);
      checkTime('now', now);
      const [result] = this.#appendMany.immediate([{ account, entry }], now);
      if (result === undefined) throw new StoreError('append stored nothing');
      return result;
    });
  }

  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    return this.#connection.run(() => {
      validateBatch(items);
      checkTime('now', now);
      return items.length === 0 ? [] : this.#appendMany.immediate(items, now);
    });
  }

  get(account: string, messageId: string): Promise<JournalEntry | undefined> {
    return this.#connection.run(() => {
      checkAccount(account);
      checkMessageId(messageId);
      const row = this.#s.byId.get(account, messageId);
      return row === undefined ? undefined : decodeEntryRow(row);
    });
  }

  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    return this.#connection.run(() => {
      checkAccount(account);
      checkMessageId(messageId);
      checkDeliveryState(state);
      return this.#update.immediate(account, messageId, state);
    });
  }

  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#connection.run(() => {
      checkOperation(account, contact, options);
      return this.#markRead.immediate(account, contact, options);
    });
  }

  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    return this.#connection.run(() => {
      checkRemoveOptions(account, messageId, options);
      return this.#removeMessage.immediate(account, messageId, options);
    });
  }

  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#connection.run(() => {
      checkOperation(account, contact, options);
      return this.#removeConversation.immediate(account, contact, options);
    });
  }

  removeAll(account: string): Promise<number> {
    return this.#connection.run(() => {
      checkAccount(account);
      return this.#removeAll.immediate(account);
    });
  }

  unread(account: string): Promise<UnreadCounts> {
    return this.#connection.run(() => {
      checkAccount(account);
      return unreadCounts(this.#s.unread.all(account));
    });
  }

  latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    return this.#connection.run(() => {
      checkAccount(account);
      checkLimit(limit);
      checkBounds(bounds);
      return this.#before(account, Number.MAX_SAFE_INTEGER, limit, JOURNAL_START, bounds);
    });
  }

  before(account: string, cursor: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    return this.#connection.run(() => {
      checkAccount(account);
      checkLimit(limit);
      checkBounds(bounds);
      return this.#before(account, decodeCursor(cursor), limit, cursor, bounds);
    });
  }

  after(
    account: string,
    cursor: string | undefined,
    limit: number,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    return this.#connection.run(() => {
      checkAccount(account);
      checkLimit(limit);
      checkBounds(bounds);
      return this.#after(account, cursor === undefined ? 0 : decodeCursor(cursor), limit, bounds);
    });
  }

  history(account: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.#connection.run(() => {
      checkAccount(account);
      checkLimit(query.limit);
      checkBounds(query);
      const { messageId, since } = query;
      const wanted = messageId !== undefined && messageId !== null && messageId !== '';
      if (since !== undefined) checkTime('since', since);
      if (wanted) {
        checkMessageId(messageId);
        const seq = toInteger(this.#s.seqOf.get(account, messageId)?.[0]);
        if (seq !== undefined)
          return {
            ...this.#after(account, seq, query.limit, query),
            from: 'message',
            unknownMessageId: false,
          };
      }
      if (since !== undefined) {
        const first = toInteger(this.#s.firstSince.get(account, since)?.[0]);
        // Nothing stored after `since`: an empty page that resumes at the end.
        const page =
          first === undefined
            ? this.#emptyTail(account)
            : this.#after(account, first - 1, query.limit, query);
        return { ...page, from: 'since', unknownMessageId: wanted };
      }
      return { ...this.#after(account, 0, query.limit, query), from: 'start', unknownMessageId: wanted };
    });
  }

  count(account: string): Promise<number> {
    return this.#connection.run(() => {
      checkAccount(account);
      return toInteger(this.#s.count.get(account)?.[0]) ?? 0;
    });
  }

  usage(account: string): Promise<JournalUsage> {
    return this.#connection.run(() => {
      checkAccount(account);
      return usageOf(this.#s.usage.get(account));
    });
  }

  contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>> {
    return this.#connection.run(() => {
      checkAccount(account);
      return new Map(
        this.#s.contentTypes.all(account).map((row) => [String(row[0]), toInteger(row[1]) ?? 0]),
      );
    });
  }

  async purgeOlderThan(cutoff: number): Promise<number> {
    checkTime('cutoff', cutoff);
    let total = 0;
    for (;;) {
      const deleted = await this.#connection.run(() => this.#purgeChunk.immediate(cutoff));
      total += deleted;
      if (deleted < PURGE_CHUNK) return total;
      await new Promise<void>((resolve) => setImmediate(resolve)); // let other work in between chunks
    }
  }

  /** Inside a transaction. */
  #appendIn(account: string, entry: NewEntry, now: number): AppendResult {
    const existing = this.#s.byId.get(account, entry.messageId);
    if (existing !== undefined) return { outcome: 'duplicate', entry: decodeEntryRow(existing) };
    const next = this.#s.nextSequence.get(account, now);
    const seq = requireInteger(next?.[0], 'sequence number');
    const createdAt = requireInteger(next?.[1], 'createdAt');
    const unread = countsAsUnread(account, entry);
    this.#s.insert.run(...entryRowValues(account, seq, entry, createdAt, unread));
    if (unread) this.#s.addUnread.run(account, entry.contact);
    return { outcome: 'stored', entry: storedEntry(account, seq, entry, createdAt, unread) };
  }

  #recordIn(account: string, record: NewEntry | undefined, now: number): AppendResult | undefined {
    return record === undefined ? undefined : this.#appendIn(account, record, now);
  }

  #updateIn(account: string, messageId: string, state: DeliveryState): UpdateResult {
    const row = this.#s.byId.get(account, messageId);
    if (row === undefined) return { outcome: 'absent' };
    const entry = decodeEntryRow(row);
    const change = applyUpdate(entry, state);
    if (!change.changed) return { outcome: 'unchanged', entry };
    this.#s.update.run(
      change.state,
      encodeDisposition(change.disposition),
      change.unread ? 1 : 0,
      account,
      rowSeq(row),
    );
    if (entry.unread && !change.unread) this.#subtractUnread(account, entry.contact, 1);
    return {
      outcome: 'updated',
      entry: { ...entry, state: change.state, disposition: change.disposition, unread: change.unread },
    };
  }

  #removeMessageIn(account: string, messageId: string, options: RemoveMessageOptions): RemoveMessageResult {
    const row = this.#s.byId.get(account, messageId);
    let removed: JournalEntry | undefined;
    if (row !== undefined) {
      const entry = decodeEntryRow(row);
      if (matches(entry, options.match)) {
        this.#s.remove.run(account, rowSeq(row));
        if (entry.unread) this.#subtractUnread(account, entry.contact, 1);
        removed = entry;
      }
    }
    const record = recordFor(options, removed);
    return { removed, record: this.#recordIn(account, record, options.now) };
  }

  #purgeIn(cutoff: number): number {
    const deleted = this.#s.purge.all(cutoff, PURGE_CHUNK);
    for (const loss of unreadLosses(deleted)) this.#subtractUnread(loss.account, loss.contact, loss.n);
    return deleted.length;
  }

  #subtractUnread(account: string, contact: string, n: number): void {
    this.#s.subtractUnread.run(n, account, contact);
    this.#s.dropEmptyUnread.run(account, contact);
  }

  #after(account: string, seq: number, limit: number, bounds?: ReadBounds): JournalPage {
    const maxBytes = bounds?.maxContentBytes;
    if (maxBytes !== undefined) {
      const take = takeWithin(this.#s.afterSizes.all(account, seq, limit + 1), limit, maxBytes);
      const entries = this.#range(account, take);
      return { entries, hasMore: take.hasMore, next: encodeCursor(take.seqs.at(-1) ?? seq) };
    }
    const rows = this.#s.after.all(account, seq, limit + 1);
    const hasMore = rows.length > limit;
    const entries = rows.slice(0, limit).map(decodeEntryRow);
    return { entries, hasMore, next: entries.at(-1)?.cursor ?? encodeCursor(seq) };
  }

  #before(account: string, seq: number, limit: number, given: string, bounds?: ReadBounds): JournalPage {
    const maxBytes = bounds?.maxContentBytes;
    if (maxBytes !== undefined) {
      const take = takeWithin(this.#s.beforeSizes.all(account, seq, limit + 1), limit, maxBytes);
      const oldest = take.seqs.at(-1);
      const next = oldest === undefined ? given : encodeCursor(oldest);
      return { entries: this.#range(account, take), hasMore: take.hasMore, next };
    }
    const rows = this.#s.before.all(account, seq, limit + 1);
    const hasMore = rows.length > limit;
    const entries = rows.slice(0, limit).reverse().map(decodeEntryRow);
    return { entries, hasMore, next: entries[0]?.cursor ?? given };
  }

  /** The rows a bounded read took, oldest first (both statements run in one synchronous call). */
  #range(account: string, take: Take): JournalEntry[] {
    const range = rangeOf(take);
    return range === undefined ? [] : this.#s.range.all(account, ...range).map(decodeEntryRow);
  }

  /** An empty page positioned after the account's newest entry. */
  #emptyTail(account: string): JournalPage {
    const newest = this.#s.before.get(account, Number.MAX_SAFE_INTEGER, 1);
    return {
      entries: [],
      hasMore: false,
      next: newest === undefined ? JOURNAL_START : encodeCursor(rowSeq(newest)),
    };
  }
}
