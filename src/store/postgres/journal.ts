/**
 * The journal on PostgreSQL: the shared checks and reads (CheckedJournalStore) over named statements on the
 * pool, and the writes as transactions. Every write to an account's journal first locks the account's row
 * of the sequence table (an append by taking the next number, the others with FOR UPDATE): writes to one
 * account are serialised and commit in sequence order, so a reader that sees an entry also sees every
 * earlier one (a cursor never skips an entry that commits late), and locks are always taken in the same
 * order.
 */
import type { SqlValue } from '../../sql/value.js';
import { StoreError } from '../errors.js';
import { CheckedJournalStore } from '../journal/checked-journal-store.js';
import { JournalPagingReader } from '../journal/paging-reader.js';
import type { JournalStore } from '../journal/journal-store.js';
import { appendCheckOf, matches, recordFor, storedEntry, unreadLosses } from '../journal/results.js';
import {
  decodeEntryRow,
  ENTRY_COLUMNS,
  encodeDisposition,
  entryRowValues,
  requireInteger,
  rowSeq,
  toInteger,
} from '../journal/row.js';
import type { JournalRead, JournalRowSource } from '../journal/row-source.js';
import { type JournalSql, journalSql } from '../journal/sql.js';
import { applyUpdate, countsAsUnread } from '../journal/state.js';
import type {
  AppendCheck,
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
import {
  DEFAULT_GROUP_ITEMS,
  type GroupAppender,
  GroupCommitWriter,
  type TimedAppendItem,
  timedAppendItems,
} from '../journal/group-commit.js';
import type { JournalWriter, PurgedChunk } from '../journal/writer.js';
import type { OpenStoreOptions } from '../store.js';
import { JOURNAL_ACCOUNT_TABLE, JOURNAL_TABLE, type TableNamer, UNREAD_TABLE } from '../tables.js';
import { appendBatchIn, type BatchSql, batchSql } from './journal-batch.js';
import type { PostgresPool } from './pool.js';
import { inTransaction, type Transaction } from './transaction.js';

/** What runs statements: the pool (each statement its own transaction) or an open transaction. */
interface Runner {
  arrays(text: string, values?: readonly SqlValue[], name?: string): Promise<unknown[][]>;
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
  /** (accounts[], messageId) → account, entries, content_bytes, then ENTRY_COLUMNS of its entry or nulls */
  readonly appendChecks: string;
}

/** A prepared statement's name: one text, one name, on every connection of the pool. */
function named(statement: keyof Statements): string {
  return `missive_journal_${statement}`;
}

/** The journal of the PostgreSQL store, its tables named by `table`. */
export function postgresJournal(
  pool: PostgresPool,
  table: TableNamer,
  options: Pick<OpenStoreOptions, 'onJournalCommit'> = {},
): JournalStore {
  const sql: Statements = { ...journalSql(table, (n) => `$${n}`), ...statements(table) };
  const rows: JournalRowSource = {
    rows: (statement: JournalRead, values: readonly SqlValue[]) =>
      pool.queryArrays(sql[statement], values, named(statement)),
  };
  return new CheckedJournalStore(
    new PostgresJournalReader(rows, pool, sql.appendChecks),
    new GroupCommitWriter(new PostgresJournalWriter(pool, sql, batchSql(table)), {
      maxItems: DEFAULT_GROUP_ITEMS,
      schedule: queueMicrotask,
      ...(options.onJournalCommit === undefined ? {} : { onCommit: options.onJournalCommit }),
    }),
  );
}

/** The shared reads, and checkAppend in one statement for every account instead of two per account. */
class PostgresJournalReader extends JournalPagingReader {
  readonly #pool: PostgresPool;
  readonly #appendChecks: string;

  constructor(rows: JournalRowSource, pool: PostgresPool, appendChecks: string) {
    super(rows);
    this.#pool = pool;
    this.#appendChecks = appendChecks;
  }

  override async checkAppend(accounts: readonly string[], messageId: string): Promise<AppendCheck[]> {
    const rows = await this.#pool.queryArrays(
      this.#appendChecks,
      [[...accounts], messageId],
      named('appendChecks'),
    );
    const byAccount = new Map(rows.map((row) => [row[0], row]));
    return accounts.map((account) => appendCheckOf(account, byAccount.get(account)?.slice(1)));
  }
}

class PostgresJournalWriter implements JournalWriter, GroupAppender {
  readonly #pool: PostgresPool;
  readonly #sql: Statements;
  readonly #batch: BatchSql;
  readonly #runner: Runner;

  constructor(pool: PostgresPool, sql: Statements, batch: BatchSql) {
    this.#pool = pool;
    this.#sql = sql;
    this.#batch = batch;
    this.#runner = { arrays: (text, values, name) => pool.queryArrays(text, values, name) };
  }

  append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    return this.#appendWith(this.#runner, account, entry, now);
  }

  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    return this.appendGroup(timedAppendItems(items, now));
  }

  async appendGroup(items: readonly TimedAppendItem[]): Promise<AppendResult[]> {
    // One append alone is one statement in its own transaction: one round trip instead of three. The
    // batch statement counts the unread total too, so an append that asks for it is a batch of one.
    const only = items.length === 1 ? items[0] : undefined;
    if (only !== undefined && only.countUnread !== true)
      return [await this.append(only.account, only.entry, only.now)];
    // The batch is one statement, so outside BEGIN/COMMIT it is a transaction of its own: one round trip
    // instead of three. Only ids stored before need more (their entries read back), and a duplicate whose
    // first entry was removed meanwhile is appended again in a transaction of its own (each append is
    // idempotent by message id, so nothing is lost or doubled if that second one fails).
    return appendBatchIn(this.#runner, this.#batch, items, (item) =>
      this.#appendWith(this.#runner, item.account, item.entry, item.now),
    );
  }

  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    return inTransaction(this.#pool, async (tx): Promise<UpdateResult> => {
      if (!(await this.#lock(tx, account))) return { outcome: 'absent' };
      const row = await this.#byId(tx, account, messageId);
      if (row === undefined) return { outcome: 'absent' };
      const entry = decodeEntryRow(row);
      const change = applyUpdate(entry, state);
      if (!change.changed) return { outcome: 'unchanged', entry };
      await tx.query(
        this.#sql.update,
        [change.state, encodeDisposition(change.disposition), change.unread ? 1 : 0, account, rowSeq(row)],
        named('update'),
      );
      if (entry.unread && !change.unread) await this.#subtractUnread(tx, account, entry.contact, 1);
      return {
        outcome: 'updated',
        entry: { ...entry, state: change.state, disposition: change.disposition, unread: change.unread },
      };
    });
  }

  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#onConversation(this.#sql.markRead, account, contact, options);
  }

  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    return inTransaction(this.#pool, async (tx) => {
      let removed: JournalEntry | undefined;
      if (await this.#lock(tx, account)) {
        const row = await this.#byId(tx, account, messageId);
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

  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#onConversation(this.#sql.removeConversation, account, contact, options);
  }

  removeAll(account: string): Promise<number> {
    return inTransaction(this.#pool, async (tx) => {
      if (!(await this.#lock(tx, account))) return 0;
      await tx.query(this.#sql.clearAllUnread, [account]);
      return (await tx.query(this.#sql.removeAll, [account])).rowCount ?? 0;
    });
  }

  purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk> {
    return inTransaction(this.#pool, async (tx) => {
      const found = await tx.arrays(this.#sql.purgeAccounts, [cutoff, limit]);
      const accounts = [...new Set(found.map((row) => String(row[0])))];
      // In the database's order of names, as appendBatch locks them.
      await tx.query(this.#sql.lockMany, [accounts]);
      // The chunk's rows again, now that no writer of those accounts can change them.
      const rows = await tx.arrays(this.#sql.purge, [accounts, cutoff, limit]);
      for (const loss of unreadLosses(rows))
        await this.#subtractUnread(tx, loss.account, loss.contact, loss.n);
      return { deleted: rows.length, full: found.length === limit };
    });
  }

  /** Read or remove: `statement` on the conversation's entries, its unread count reset, the record appended. */
  #onConversation(
    statement: string,
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return inTransaction(this.#pool, async (tx) => {
      let count = 0;
      if (await this.#lock(tx, account)) {
        count = (await tx.query(statement, [account, contact])).rowCount ?? 0;
        await tx.query(this.#sql.clearUnread, [account, contact]);
      }
      return { count, record: await this.#record(tx, account, options.record, options.now) };
    });
  }

  /**
   * One statement takes the account's next sequence number (locking the account until commit) and
   * inserts the entry unless the account has its message id, counting it unread if it is.
   */
  async #appendWith(runner: Runner, account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    const values: SqlValue[] = entryRowValues(account, 0, entry, 0, countsAsUnread(account, entry));
    values[INDEX_CONTENT] = Buffer.from(entry.content, 'utf8');
    values.splice(INDEX_CREATED_AT, 1);
    values.splice(INDEX_SEQ, 1);
    for (let attempt = 0; ; attempt++) {
      const inserted = (await runner.arrays(this.#sql.append, [...values, now], named('append')))[0];
      if (inserted !== undefined) {
        const seq = requireInteger(inserted[0], 'sequence number');
        const createdAt = requireInteger(inserted[1], 'createdAt');
        return {
          outcome: 'stored',
          entry: storedEntry(account, seq, entry, createdAt, toInteger(inserted[2]) === 1),
        };
      }
      const existing = await this.#byId(runner, account, entry.messageId);
      if (existing !== undefined) return { outcome: 'duplicate', entry: decodeEntryRow(existing) };
      // The conflicting entry was removed in between: append again.
      if (attempt >= 2) throw new StoreError('append: the conflicting entry kept vanishing');
    }
  }

  async #byId(runner: Runner, account: string, messageId: string): Promise<unknown[] | undefined> {
    return (await runner.arrays(this.#sql.byId, [account, messageId], named('byId')))[0];
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
    return (await tx.arrays(this.#sql.lock, [account], named('lock'))).length > 0;
  }

  async #subtractUnread(tx: Transaction, account: string, contact: string, n: number): Promise<void> {
    await tx.query(this.#sql.subtractUnread, [n, account, contact]);
    await tx.query(this.#sql.dropEmptyUnread, [account, contact]);
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
    appendChecks:
      `SELECT q.account, a.entries, a.content_bytes, ${ENTRY_COLUMNS.map((c) => `j.${c}`).join(', ')} ` +
      `FROM unnest($1::text[]) AS q(account) LEFT JOIN ${a} a ON a.account = q.account ` +
      `LEFT JOIN ${j} j ON j.account = q.account AND j.message_id = $2`,
    purgeAccounts: `SELECT account FROM ${j} WHERE created_at < $1 ORDER BY created_at LIMIT $2`,
    purge:
      `DELETE FROM ${j} WHERE (account, seq) IN (SELECT account, seq FROM ${j} ` +
      'WHERE account = ANY($1::text[]) AND created_at < $2 ORDER BY created_at LIMIT $3) ' +
      'RETURNING account, contact, unread',
  };
}
