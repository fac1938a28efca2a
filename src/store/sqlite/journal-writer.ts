/**
 * The journal's write transactions on SQLite, each IMMEDIATE (so a write from another process, the CLI,
 * cannot interleave with it) and on disk (synchronous = FULL) when it returns. They run on the journal
 * writer's thread (journal-worker.ts), on a connection of its own; a removal whose record is a function runs
 * on the server's connection (journal-thread.ts says why).
 */
import type Database from 'better-sqlite3';
import { matches, recordFor, storedEntry, unreadLosses, withUnreadTotals } from '../journal/results.js';
import { decodeEntryRow, encodeDisposition, entryRowValues, requireInteger, rowSeq } from '../journal/row.js';
import type { JournalRead } from '../journal/row-source.js';
import { journalSql, nextSequenceSql } from '../journal/sql.js';
import { applyUpdate, countsAsUnread } from '../journal/state.js';
import type {
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  JournalEntry,
  NewEntry,
  OperationOptions,
  RemoveMessageOptions,
  RemoveMessageResult,
  UpdateResult,
} from '../journal/types.js';
import { type GroupAppender, type TimedAppendItem, timedAppendItems } from '../journal/group-commit.js';
import type { JournalWriter, PurgedChunk } from '../journal/writer.js';
import { StoreError } from '../errors.js';
import { JOURNAL_TABLE, tableNamer, UNREAD_TABLE } from '../tables.js';
import type { SqliteConnection } from './connection.js';
import { type JournalStatement, prepareJournalReads } from './journal-reads.js';

type Statement = JournalStatement;

export interface JournalStatements {
  readonly reads: Record<JournalRead, Statement>;
  readonly insert: Statement;
  readonly nextSequence: Statement;
  readonly addUnread: Statement;
  /** (account) → the account's unread total */
  readonly unreadTotal: Statement;
  readonly subtractUnread: Statement;
  readonly dropEmptyUnread: Statement;
  readonly clearUnread: Statement;
  readonly clearAllUnread: Statement;
  readonly update: Statement;
  readonly remove: Statement;
  readonly markRead: Statement;
  readonly removeConversation: Statement;
  readonly removeAll: Statement;
  readonly purge: Statement;
}

export function prepareJournalStatements(db: Database.Database): JournalStatements {
  const table = tableNamer('sqlite');
  const sql = journalSql(table, () => '?');
  const prepare = (text: string): Statement => db.prepare<unknown[], unknown[]>(text);
  const rows = (text: string): Statement => prepare(text).raw(true);
  const journal = table(JOURNAL_TABLE);
  const reads = prepareJournalReads(db);
  return {
    reads,
    insert: prepare(sql.insert),
    nextSequence: rows(nextSequenceSql(table, () => '?', 'max')),
    addUnread: prepare(sql.addUnread),
    unreadTotal: rows(
      `SELECT COALESCE(SUM(unread), 0) FROM ${table(UNREAD_TABLE)} WHERE account = ? AND unread > 0`,
    ),
    subtractUnread: prepare(sql.subtractUnread),
    dropEmptyUnread: prepare(sql.dropEmptyUnread),
    clearUnread: prepare(sql.clearUnread),
    clearAllUnread: prepare(sql.clearAllUnread),
    update: prepare(sql.update),
    remove: prepare(sql.remove),
    markRead: prepare(sql.markRead),
    removeConversation: prepare(sql.removeConversation),
    removeAll: prepare(sql.removeAll),
    // Oldest first through the created_at index; RETURNING gives what the unread counters lose.
    purge: rows(
      `DELETE FROM ${journal} WHERE rowid IN (SELECT rowid FROM ${journal} ` +
        'WHERE created_at < ? ORDER BY created_at LIMIT ?) RETURNING account, contact, unread',
    ),
  };
}

export class SqliteJournalWriter implements JournalWriter, GroupAppender {
  readonly #connection: SqliteConnection;
  readonly #s: JournalStatements;
  readonly #appendMany: Database.Transaction<(items: readonly TimedAppendItem[]) => AppendResult[]>;
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
  readonly #purge: Database.Transaction<(cutoff: number, limit: number) => number>;

  constructor(connection: SqliteConnection, statements: JournalStatements) {
    this.#connection = connection;
    this.#s = statements;
    const db = connection.db;
    this.#appendMany = db.transaction((items) => {
      const results = items.map((item) => this.#appendIn(item.account, item.entry, item.now));
      return withUnreadTotals(items, results, (account) =>
        requireInteger(this.#s.unreadTotal.get(account)?.[0], 'unread total'),
      );
    });
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
    this.#purge = db.transaction((cutoff, limit) => this.#purgeIn(cutoff, limit));
  }

  append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    return this.#connection.run(() => {
      const [result] = this.#appendMany.immediate([{ account, entry, now }]);
      if (result === undefined) throw new StoreError('append stored nothing');
      return result;
    });
  }

  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    return this.appendGroup(timedAppendItems(items, now));
  }

  appendGroup(items: readonly TimedAppendItem[]): Promise<AppendResult[]> {
    return this.#connection.run(() => this.#appendMany.immediate(items));
  }

  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    return this.#connection.run(() => this.#update.immediate(account, messageId, state));
  }

  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#connection.run(() => this.#markRead.immediate(account, contact, options));
  }

  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    return this.#connection.run(() => this.#removeMessage.immediate(account, messageId, options));
  }

  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#connection.run(() => this.#removeConversation.immediate(account, contact, options));
  }

  removeAll(account: string): Promise<number> {
    return this.#connection.run(() => this.#removeAll.immediate(account));
  }

  async purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk> {
    const deleted = await this.#connection.run(() => this.#purge.immediate(cutoff, limit));
    return { deleted, full: deleted >= limit };
  }

  /** Inside a transaction. */
  #appendIn(account: string, entry: NewEntry, now: number): AppendResult {
    const existing = this.#s.reads.byId.get(account, entry.messageId);
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
    const row = this.#s.reads.byId.get(account, messageId);
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
    const row = this.#s.reads.byId.get(account, messageId);
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

  #purgeIn(cutoff: number, limit: number): number {
    const deleted = this.#s.purge.all(cutoff, limit);
    for (const loss of unreadLosses(deleted)) this.#subtractUnread(loss.account, loss.contact, loss.n);
    return deleted.length;
  }

  #subtractUnread(account: string, contact: string, n: number): void {
    this.#s.subtractUnread.run(n, account, contact);
    this.#s.dropEmptyUnread.run(account, contact);
  }
}
