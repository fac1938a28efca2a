/**
 * JournalStore on PostgreSQL. Every write to an account's journal first locks the account's row of the
 * sequence table (an append by taking the next number, the others with FOR UPDATE): writes to one account
 * are serialised and commit in sequence order, so a reader that sees an entry also sees every earlier one
 * (a cursor never skips an entry that commits late), and locks are always taken in the same order.
 */
import { checkTime } from '../checks.js';
import { StoreError } from '../errors.js';
import { decodeCursor, encodeCursor, JOURNAL_START } from '../journal/cursor.js';
import type { JournalStore } from '../journal/journal-store.js';
import { matches, recordFor, storedEntry, unreadCounts, unreadLosses, usageOf } from '../journal/results.js';
import {
  decodeEntryRow,
  ENTRY_COLUMNS,
  encodeDisposition,
  entryRowValues,
  requireInteger,
  rowSeq,
  toInteger,
} from '../journal/row.js';
import { rangeOf, type Take, takeWithin } from '../journal/bounded-read.js';
import { type JournalSql, journalSql } from '../journal/sql.js';
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
import { JOURNAL_ACCOUNT_TABLE, JOURNAL_TABLE, type TableNamer, UNREAD_TABLE } from '../tables.js';
import type { Parameter, PostgresPool } from './pool.js';
import { appendBatchIn, type BatchSql, batchSql } from './journal-batch.js';
import { inTransaction, type Transaction } from './transaction.js';

/** Rows a purge transaction deletes at most, so that other writers wait milliseconds, not seconds. */
const PURGE_CHUNK = 2000;

/** What runs statements: the pool (each statement its own transaction) or an open transaction. */
interface Runner {
  arrays(text: string, values?: readonly Parameter[], name?: string): Promise<unknown[][]>;
}

interface Statements extends JournalSql {
  /** ENTRY_COLUMNS values but seq and created_at, then now → seq, created_at; no row for a duplicate. */
  readonly append: string;
  /** (account) → locks the account's journal */
  readonly lock: string;
  /** (accounts[]) → locks these accounts' journals, in the database's order of names */
  readonly lockMany: string;
  /** (cutoff, limit) → account of the oldest entries */
  readonly purgeAccounts: string;
  /** (accounts[], cutoff, limit) → account, contact, unread of the deleted rows */
  readonly purge: string;
}

export class PostgresJournalStore implements JournalStore {
  readonly #pool: PostgresPool;
  readonly #sql: Statements;
  readonly #batch: BatchSql;

  constructor(pool: PostgresPool, table: TableNamer) {
    this.#pool = pool;
    this.#sql = { ...journalSql(table, (n) => `$${n}`), ...statements(table) };
    this.#batch = batchSql(table);
  }

  async append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    checkAccount(account);
    validateNewEntry(entry);
    checkTime('now', now);
    return this.#appendWith(this.#runner(), account, entry, now);
  }

  async appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    validateBatch(items);
    checkTime('now', now);
    if (items.length === 0) return [];
    return inTransaction(this.#pool, (tx) =>
      appendBatchIn(tx, this.#batch, items, now, (item) =>
        this.#appendWith(tx, item.account, item.entry, now),
      ),
    );
  }

  async get(account: string, messageId: string): Promise<JournalEntry | undefined> {
    checkAccount(account);
    checkMessageId(messageId);
    const rows = await this.#pool.queryArrays(this.#sql.byId, [account, messageId], 'missive_journal_by_id');
    return rows[0] === undefined ? undefined : decodeEntryRow(rows[0]);
  }

  async updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    checkAccount(account);
    checkMessageId(messageId);
    checkDeliveryState(state);
    return inTransaction(this.#pool, async (tx): Promise<UpdateResult> => {
      if (!(await this.#lock(tx, account))) return { outcome: 'absent' };
      const row = (await tx.arrays(this.#sql.byId, [account, messageId], 'missive_journal_by_id'))[0];
      if (row === undefined) return { outcome: 'absent' };
      const entry = decodeEntryRow(row);
      const change = applyUpdate(entry, state);
      if (!change.changed) return { outcome: 'unchanged', entry };
      await tx.query(
        this.#sql.update,
        [change.state, encodeDisposition(change.disposition), change.unread ? 1 : 0, account, rowSeq(row)],
        'missive_journal_update',
      );
      if (entry.unread && !change.unread) await this.#subtractUnread(tx, account, entry.contact, 1);
      return {
        outcome: 'updated',
        entry: { ...entry, state: change.state, disposition: change.disposition, unread: change.unread },
      };
    });
  }

  async markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#onConversation(this.#sql.markRead, account, contact, options);
  }

  async removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    checkRemoveOptions(account, messageId, options);
    return inTransaction(this.#pool, async (tx) => {
      let removed: JournalEntry | undefined;
      if (await this.#lock(tx, account)) {
        const row = (await tx.arrays(this.#sql.byId, [account, messageId], 'missive_journal_by_id'))[0];
        const entry = row === undefined ? undefined : decodeEntryRow(row);
        if (row !== undefined && entry !== undefined && matches(entry, options.match)) {
          await tx.query(this.#sql.remove, [account, rowSeq(row)]);
          if (entry.unread) await this.#subtractUnread(tx, account, entry.contact, 1);
          removed = entry;
        }
      }
      const record = recordFor(options, removed);
      return { removed, record: await this.#record(tx, account, record, options.now) };
    });
  }

  async removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#onConversation(this.#sql.removeConversation, account, contact, options);
  }

  /** Read or remove: `statement` on the conversation's entries, its unread count reset, the record appended. */
  #onConversation(
    statement: string,
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    checkOperation(account, contact, options);
    return inTransaction(this.#pool, async (tx) => {
      let count = 0;
      if (await this.#lock(tx, account)) {
        count = (await tx.query(statement, [account, contact])).rowCount ?? 0;
        await tx.query(this.#sql.clearUnread, [account, contact]);
      }
      return { count, record: await this.#record(tx, account, options.record, options.now) };
    });
  }

  async removeAll(account: string): Promise<number> {
    checkAccount(account);
    return inTransaction(this.#pool, async (tx) => {
      if (!(await this.#lock(tx, account))) return 0;
      await tx.query(this.#sql.clearAllUnread, [account]);
      return (await tx.query(this.#sql.removeAll, [account])).rowCount ?? 0;
    });
  }

  async unread(account: string): Promise<UnreadCounts> {
    checkAccount(account);
    return unreadCounts(await this.#pool.queryArrays(this.#sql.unread, [account], 'missive_journal_unread'));
  }

  async latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    checkAccount(account);
    checkLimit(limit);
    checkBounds(bounds);
    return this.#before(account, Number.MAX_SAFE_INTEGER, limit, JOURNAL_START, bounds);
  }

  async before(account: string, cursor: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    checkAccount(account);
    checkLimit(limit);
    checkBounds(bounds);
    return this.#before(account, decodeCursor(cursor), limit, cursor, bounds);
  }

  async after(
    account: string,
    cursor: string | undefined,
    limit: number,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    checkAccount(account);
    checkLimit(limit);
    checkBounds(bounds);
    return this.#after(account, cursor === undefined ? 0 : decodeCursor(cursor), limit, bounds);
  }

  async history(account: string, query: HistoryQuery): Promise<HistoryPage> {
    checkAccount(account);
    checkLimit(query.limit);
    checkBounds(query);
    const { messageId, since } = query;
    const wanted = messageId !== undefined && messageId !== null && messageId !== '';
    if (since !== undefined) checkTime('since', since);
    if (wanted) {
      checkMessageId(messageId);
      const rows = await this.#pool.queryArrays(
        this.#sql.seqOf,
        [account, messageId],
        'missive_journal_seq_of',
      );
      const seq = toInteger(rows[0]?.[0]);
      if (seq !== undefined) {
        return {
          ...(await this.#after(account, seq, query.limit, query)),
          from: 'message',
          unknownMessageId: false,
        };
      }
    }
    if (since !== undefined) {
      const rows = await this.#pool.queryArrays(
        this.#sql.firstSince,
        [account, since],
        'missive_journal_since',
      );
      const first = toInteger(rows[0]?.[0]);
      // Nothing stored after `since`: an empty page that resumes at the end.
      const page =
        first === undefined
          ? await this.#emptyTail(account)
          : await this.#after(account, first - 1, query.limit, query);
      return { ...page, from: 'since', unknownMessageId: wanted };
    }
    return {
      ...(await this.#after(account, 0, query.limit, query)),
      from: 'start',
      unknownMessageId: wanted,
    };
  }

  async count(account: string): Promise<number> {
    checkAccount(account);
    const rows = await this.#pool.queryArrays(this.#sql.count, [account]);
    return toInteger(rows[0]?.[0]) ?? 0;
  }

  async usage(account: string): Promise<JournalUsage> {
    checkAccount(account);
    return usageOf((await this.#pool.queryArrays(this.#sql.usage, [account], 'missive_journal_usage'))[0]);
  }

  async contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>> {
    checkAccount(account);
    const rows = await this.#pool.queryArrays(this.#sql.contentTypes, [account]);
    return new Map(rows.map((row) => [String(row[0]), toInteger(row[1]) ?? 0]));
  }

  async purgeOlderThan(cutoff: number): Promise<number> {
    checkTime('cutoff', cutoff);
    let total = 0;
    for (;;) {
      const { deleted, full } = await inTransaction(this.#pool, async (tx) => {
        const found = await tx.arrays(this.#sql.purgeAccounts, [cutoff, PURGE_CHUNK]);
        const accounts = [...new Set(found.map((row) => String(row[0])))];
        // In the database's order of names, as appendBatch locks them.
        await tx.query(this.#sql.lockMany, [accounts]);
        // The chunk's rows again, now that no writer of those accounts can change them.
        const rows = await tx.arrays(this.#sql.purge, [accounts, cutoff, PURGE_CHUNK]);
        for (const loss of unreadLosses(rows))
          await this.#subtractUnread(tx, loss.account, loss.contact, loss.n);
        return { deleted: rows.length, full: found.length === PURGE_CHUNK };
      });
      total += deleted;
      if (!full) return total;
    }
  }

  #runner(): Runner {
    return { arrays: (text, values, name) => this.#pool.queryArrays(text, values, name) };
  }

  /**
   * One statement takes the account's next sequence number (locking the account until commit) and
   * inserts the entry unless the account has its message id, counting it unread if it is.
   */
  async #appendWith(runner: Runner, account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    const values: Parameter[] = entryRowValues(account, 0, entry, 0, countsAsUnread(account, entry));
    values[INDEX_CONTENT] = Buffer.from(entry.content, 'utf8');
    values.splice(INDEX_CREATED_AT, 1);
    values.splice(INDEX_SEQ, 1);
    for (let attempt = 0; ; attempt++) {
      const inserted = (await runner.arrays(this.#sql.append, [...values, now], 'missive_journal_append'))[0];
      if (inserted !== undefined) {
        const seq = requireInteger(inserted[0], 'sequence number');
        const createdAt = requireInteger(inserted[1], 'createdAt');
        return {
          outcome: 'stored',
          entry: storedEntry(account, seq, entry, createdAt, toInteger(inserted[2]) === 1),
        };
      }
      const existing = (
        await runner.arrays(this.#sql.byId, [account, entry.messageId], 'missive_journal_by_id')
      )[0];
      if (existing !== undefined) return { outcome: 'duplicate', entry: decodeEntryRow(existing) };
      // The conflicting entry was removed in between: append again.
      if (attempt >= 2) throw new StoreError('append: the conflicting entry kept vanishing');
    }
  }

  async #record(
    tx: Transaction,
    account: string,
    record: NewEntry | undefined,
    now: number,
  ): Promise<AppendResult | undefined> {
    return record === undefined ? undefined : this.#appendWith(tx, account, record, now);
  }

  /** Locks the account's journal; false when the account never had an entry (nothing to change). */
  async #lock(tx: Transaction, account: string): Promise<boolean> {
    return (await tx.arrays(this.#sql.lock, [account], 'missive_journal_lock')).length > 0;
  }

  async #subtractUnread(tx: Transaction, account: string, contact: string, n: number): Promise<void> {
    await tx.query(this.#sql.subtractUnread, [n, account, contact]);
    await tx.query(this.#sql.dropEmptyUnread, [account, contact]);
  }

  async #after(account: string, seq: number, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    const maxBytes = bounds?.maxContentBytes;
    if (maxBytes !== undefined) {
      const sizes = await this.#pool.queryArrays(
        this.#sql.afterSizes,
        [account, seq, limit + 1],
        'missive_journal_after_sizes',
      );
      const take = takeWithin(sizes, limit, maxBytes);
      const entries = await this.#range(account, take);
      return { entries, hasMore: take.hasMore, next: encodeCursor(take.seqs.at(-1) ?? seq) };
    }
    const rows = await this.#pool.queryArrays(
      this.#sql.after,
      [account, seq, limit + 1],
      'missive_journal_after',
    );
    const hasMore = rows.length > limit;
    const entries = rows.slice(0, limit).map(decodeEntryRow);
    return { entries, hasMore, next: entries.at(-1)?.cursor ?? encodeCursor(seq) };
  }

  async #before(
    account: string,
    seq: number,
    limit: number,
    given: string,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    const maxBytes = bounds?.maxContentBytes;
    if (maxBytes !== undefined) {
      const sizes = await this.#pool.queryArrays(
        this.#sql.beforeSizes,
        [account, seq, limit + 1],
        'missive_journal_before_sizes',
      );
      const take = takeWithin(sizes, limit, maxBytes);
      const oldest = take.seqs.at(-1);
      const next = oldest === undefined ? given : encodeCursor(oldest);
      return { entries: await this.#range(account, take), hasMore: take.hasMore, next };
    }
    const rows = await this.#pool.queryArrays(
      this.#sql.before,
      [account, seq, limit + 1],
      'missive_journal_before',
    );
    const hasMore = rows.length > limit;
    const entries = rows.slice(0, limit).reverse().map(decodeEntryRow);
    return { entries, hasMore, next: entries[0]?.cursor ?? given };
  }

  /** The rows a bounded read took, oldest first (see bounded-read.ts for why two statements suffice). */
  async #range(account: string, take: Take): Promise<JournalEntry[]> {
    const range = rangeOf(take);
    if (range === undefined) return [];
    const rows = await this.#pool.queryArrays(this.#sql.range, [account, ...range], 'missive_journal_range');
    return rows.map(decodeEntryRow);
  }

  async #emptyTail(account: string): Promise<JournalPage> {
    const newest = (await this.#pool.queryArrays(this.#sql.before, [account, Number.MAX_SAFE_INTEGER, 1]))[0];
    return {
      entries: [],
      hasMore: false,
      next: newest === undefined ? JOURNAL_START : encodeCursor(rowSeq(newest)),
    };
  }
}

const INDEX_SEQ = ENTRY_COLUMNS.indexOf('seq');
const INDEX_CREATED_AT = ENTRY_COLUMNS.indexOf('created_at');
const INDEX_CONTENT = ENTRY_COLUMNS.indexOf('content');

function statements(table: TableNamer): Omit<Statements, keyof JournalSql> {
  const j = table(JOURNAL_TABLE);
  const a = table(JOURNAL_ACCOUNT_TABLE);
  const u = table(UNREAD_TABLE);
  // ENTRY_COLUMNS but seq and created_at, which come from the sequence row, as typed parameters.
  const given: readonly string[] = ENTRY_COLUMNS.filter((c) => c !== 'seq' && c !== 'created_at');
  const now = `$${given.length + 1}::bigint`;
  const param = (column: string): string =>
    `$${given.indexOf(column) + 1}::${column === 'unread' ? 'smallint' : column === 'content' ? 'bytea' : 'text'}`;
  const select = ENTRY_COLUMNS.map((c) =>
    c === 'seq' ? 's.last_seq' : c === 'created_at' ? 's.last_created_at' : param(c),
  );
  const append = [
    // The next number only when the id is new, so that a duplicate leaves the sequence alone (but for two
    // appends of one id racing: the second then waits for the first, and ON CONFLICT drops it).
    `WITH s AS (INSERT INTO ${a} AS a (account, last_seq, last_created_at) SELECT $1::text, 1, ${now}`,
    `WHERE NOT EXISTS (SELECT 1 FROM ${j} WHERE account = $1::text AND message_id = ${param('message_id')})`,
    'ON CONFLICT (account) DO UPDATE SET last_seq = a.last_seq + 1,',
    'last_created_at = GREATEST(a.last_created_at, excluded.last_created_at) RETURNING last_seq, last_created_at),',
    `e AS (INSERT INTO ${j} (${ENTRY_COLUMNS.join(', ')}) SELECT ${select.join(', ')} FROM s`,
    'ON CONFLICT (account, message_id) DO NOTHING RETURNING seq, created_at, unread),',
    `counted AS (INSERT INTO ${u} AS c (account, contact, unread) SELECT $1::text, ${param('contact')}, 1 FROM e WHERE e.unread = 1`,
    'ON CONFLICT (account, contact) DO UPDATE SET unread = c.unread + 1)',
    'SELECT seq, created_at, unread FROM e',
  ].join(' ');
  return {
    append,
    lock: `SELECT last_seq FROM ${a} WHERE account = $1 FOR UPDATE`,
    lockMany: `SELECT account FROM ${a} WHERE account = ANY($1::text[]) ORDER BY account FOR UPDATE`,
    purgeAccounts: `SELECT account FROM ${j} WHERE created_at < $1 ORDER BY created_at LIMIT $2`,
    purge:
      `DELETE FROM ${j} WHERE (account, seq) IN (SELECT account, seq FROM ${j} ` +
      'WHERE account = ANY($1::text[]) AND created_at < $2 ORDER BY created_at LIMIT $3) ' +
      'RETURNING account, contact, unread',
  };
}
