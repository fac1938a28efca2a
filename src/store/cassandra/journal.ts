/**
 * The journal on Cassandra: one partition of missive_journal per account, holding its entries (kind 'e',
 * keyed by the zero-padded sequence number, which is the cursor), its message-id index (kind 'i') and, in
 * static columns, its state: the next sequence number, the last createdAt, the usage and unread counters,
 * and a version. Every write reads the state, then commits its rows and the new state in one conditional
 * batch on that partition (`IF version = ?`): a lightweight transaction, atomic and isolated per account,
 * retried when another writer committed first. Writers of one store to one account also queue in process,
 * so that they do not contend for the same version.
 */
import cassandra from 'cassandra-driver';
import { checkTime } from '../checks.js';
import { StoreError } from '../errors.js';
import { decodeCursor, encodeCursor, JOURNAL_START } from '../journal/cursor.js';
import type { JournalStore } from '../journal/journal-store.js';
import { storedEntry, matches, recordFor } from '../journal/results.js';
import { applyUpdate, countsAsUnread } from '../journal/state.js';
import type {
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  Direction,
  EntryState,
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
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession, CqlRow, CqlValue } from './session.js';

const ENTRY = 'e';
const ID = 'i';
const COLUMNS =
  'seq, message_id, created_at, contact, direction, content, content_type, disposition, has_disposition, ' +
  'state, msg_timestamp, unread, content_bytes';
/** Attempts of one transaction against writers of other processes before it gives up. */
const MAX_ATTEMPTS = 100;
/** Entries one purge transaction removes at most. */
const PURGE_CHUNK = 500;

interface State {
  version: number | null;
  nextSeq: number;
  lastCreatedAt: number;
  entries: number;
  bytes: number;
  unread: Map<string, number>;
}

interface Statement {
  readonly cql: string;
  readonly params: readonly CqlValue[];
}

/** One transaction's view: the state it read, and the writes it will commit. */
interface Tx {
  readonly account: string;
  readonly state: State;
  readonly writes: Statement[];
  /** What this transaction appended, by message id: a batch that repeats an id stores it once. */
  readonly appended: Map<string, JournalEntry>;
}

const key = (seq: number): string => seq.toString().padStart(16, '0');
const bytesOf = (content: string): number => Buffer.byteLength(content, 'utf8');

export class CassandraJournalStore implements JournalStore {
  readonly #session: CassandraSession;
  readonly #t: string;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(session: CassandraSession, keyspace: string) {
    this.#session = session;
    this.#t = `${keyspace}.${CASSANDRA_TABLES.journal}`;
  }

  async append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    checkAccount(account);
    validateNewEntry(entry);
    checkTime('now', now);
    return this.#transact(account, (tx) => this.#appendIn(tx, entry, now));
  }

  async appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    validateBatch(items);
    checkTime('now', now);
    // Cassandra has no transaction across partitions: each account's items commit together, in order.
    const results: AppendResult[] = new Array<AppendResult>(items.length);
    const byAccount = new Map<string, { i: number; entry: NewEntry }[]>();
    items.forEach((item, i) => {
      const list = byAccount.get(item.account) ?? [];
      list.push({ i, entry: item.entry });
      byAccount.set(item.account, list);
    });
    await Promise.all(
      [...byAccount].map(([account, list]) =>
        this.#transact(account, async (tx) => {
          const stored: [number, AppendResult][] = [];
          for (const { i, entry } of list) stored.push([i, await this.#appendIn(tx, entry, now)]);
          return stored;
        }).then((stored) => {
          for (const [i, result] of stored) results[i] = result;
        }),
      ),
    );
    return results;
  }

  async get(account: string, messageId: string): Promise<JournalEntry | undefined> {
    checkAccount(account);
    checkMessageId(messageId);
    return this.#byId(account, messageId);
  }

  async updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    checkAccount(account);
    checkMessageId(messageId);
    checkDeliveryState(state);
    return this.#transact(account, async (tx): Promise<UpdateResult> => {
      const entry = await this.#byId(account, messageId);
      if (entry === undefined) return { outcome: 'absent' };
      const change = applyUpdate(entry, state);
      if (!change.changed) return { outcome: 'unchanged', entry };
      tx.writes.push({
        cql: `UPDATE ${this.#t} SET state = ?, disposition = ?, has_disposition = ?, unread = ? WHERE account = ? AND kind = '${ENTRY}' AND key = ?`,
        params: [
          change.state,
          change.disposition === null ? null : [...change.disposition],
          change.disposition !== null,
          change.unread,
          account,
          key(decodeCursor(entry.cursor)),
        ],
      });
      if (entry.unread && !change.unread) subtractUnread(tx.state, entry.contact, 1);
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
    checkOperation(account, contact, options);
    return this.#transact(account, async (tx) => {
      let count = 0;
      for (const entry of await this.#all(account)) {
        if (entry.contact !== contact || (entry.disposition !== null && entry.disposition.length === 0))
          continue;
        tx.writes.push({
          cql: `UPDATE ${this.#t} SET disposition = [], has_disposition = true, unread = false WHERE account = ? AND kind = '${ENTRY}' AND key = ?`,
          params: [account, key(decodeCursor(entry.cursor))],
        });
        count++;
      }
      tx.state.unread.delete(contact);
      return { count, record: await this.#recordIn(tx, options.record, options.now) };
    });
  }

  async removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    checkRemoveOptions(account, messageId, options);
    return this.#transact(account, async (tx) => {
      const entry = await this.#byId(account, messageId);
      let removed: JournalEntry | undefined;
      if (entry !== undefined && matches(entry, options.match)) {
        this.#remove(tx, entry);
        removed = entry;
      }
      const record = recordFor(options, removed);
      return { removed, record: await this.#recordIn(tx, record, options.now) };
    });
  }

  async removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    checkOperation(account, contact, options);
    return this.#transact(account, async (tx) => {
      let count = 0;
      for (const entry of await this.#all(account)) {
        if (entry.contact !== contact) continue;
        this.#remove(tx, entry);
        count++;
      }
      tx.state.unread.delete(contact);
      return { count, record: await this.#recordIn(tx, options.record, options.now) };
    });
  }

  async removeAll(account: string): Promise<number> {
    checkAccount(account);
    return this.#transact(account, async (tx) => {
      const all = await this.#all(account);
      for (const entry of all) this.#remove(tx, entry);
      tx.state.unread.clear();
      return all.length;
    });
  }

  async unread(account: string): Promise<UnreadCounts> {
    checkAccount(account);
    const state = await this.#state(account);
    const conversations = new Map([...state.unread].filter(([, n]) => n > 0));
    return { total: [...conversations.values()].reduce((a, b) => a + b, 0), conversations };
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
      const seq = await this.#seqOf(account, messageId);
      if (seq !== undefined) {
        return {
          ...(await this.#after(account, seq, query.limit, query)),
          from: 'message',
          unknownMessageId: false,
        };
      }
    }
    if (since !== undefined) {
      // createdAt never goes back along the sequence: the first entry after `since` starts the page.
      const first = (await this.#all(account)).find((entry) => entry.createdAt > since);
      const page =
        first === undefined
          ? await this.#emptyTail(account)
          : await this.#after(account, decodeCursor(first.cursor) - 1, query.limit, query);
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
    return (await this.#state(account)).entries;
  }

  async usage(account: string): Promise<JournalUsage> {
    checkAccount(account);
    const state = await this.#state(account);
    return { entries: state.entries, contentBytes: state.bytes };
  }

  async contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>> {
    checkAccount(account);
    const counts = new Map<string, number>();
    for (const entry of await this.#all(account)) {
      counts.set(entry.contentType, (counts.get(entry.contentType) ?? 0) + 1);
    }
    return counts;
  }

  async purgeOlderThan(cutoff: number): Promise<number> {
    checkTime('cutoff', cutoff);
    const accounts = await this.#session.rows(`SELECT DISTINCT account FROM ${this.#t}`);
    let total = 0;
    for (const row of accounts) {
      const account = String(row.get('account'));
      // In chunks: one transaction stays a batch of bounded size, whatever the account's age.
      for (;;) {
        const purged = await this.#transact(account, async (tx) => {
          // Oldest first; createdAt never goes back along the sequence. #remove keeps the counters.
          const old = (await this.#oldest(account, PURGE_CHUNK)).filter((entry) => entry.createdAt < cutoff);
          for (const entry of old) this.#remove(tx, entry);
          return old.length;
        });
        total += purged;
        if (purged < PURGE_CHUNK) break;
      }
    }
    return total;
  }

  /** Inside a transaction. */
  async #appendIn(tx: Tx, entry: NewEntry, now: number): Promise<AppendResult> {
    const earlier = tx.appended.get(entry.messageId) ?? (await this.#byId(tx.account, entry.messageId));
    if (earlier !== undefined) return { outcome: 'duplicate', entry: earlier };
    const { state } = tx;
    const seq = state.nextSeq;
    const createdAt = Math.max(now, state.lastCreatedAt);
    const unread = countsAsUnread(tx.account, entry);
    const bytes = bytesOf(entry.content);
    tx.writes.push(
      {
        cql: `INSERT INTO ${this.#t} (account, kind, key, ${COLUMNS}) VALUES (?, '${ENTRY}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          tx.account,
          key(seq),
          seq,
          entry.messageId,
          createdAt,
          entry.contact,
          entry.direction,
          entry.content,
          entry.contentType,
          entry.disposition === null ? null : [...entry.disposition],
          entry.disposition !== null,
          entry.state,
          entry.timestamp,
          unread,
          bytes,
        ],
      },
      {
        cql: `INSERT INTO ${this.#t} (account, kind, key, seq) VALUES (?, '${ID}', ?, ?)`,
        params: [tx.account, entry.messageId, seq],
      },
    );
    state.nextSeq = seq + 1;
    state.lastCreatedAt = createdAt;
    state.entries++;
    state.bytes += bytes;
    if (unread) state.unread.set(entry.contact, (state.unread.get(entry.contact) ?? 0) + 1);
    const stored = storedEntry(tx.account, seq, entry, createdAt, unread);
    tx.appended.set(entry.messageId, stored);
    return { outcome: 'stored', entry: stored };
  }

  async #recordIn(tx: Tx, record: NewEntry | undefined, now: number): Promise<AppendResult | undefined> {
    return record === undefined ? undefined : this.#appendIn(tx, record, now);
  }

  #remove(tx: Tx, entry: JournalEntry): void {
    tx.writes.push(
      {
        cql: `DELETE FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key = ?`,
        params: [tx.account, key(decodeCursor(entry.cursor))],
      },
      {
        cql: `DELETE FROM ${this.#t} WHERE account = ? AND kind = '${ID}' AND key = ?`,
        params: [tx.account, entry.messageId],
      },
    );
    tx.state.entries--;
    tx.state.bytes -= bytesOf(entry.content);
    if (entry.unread) subtractUnread(tx.state, entry.contact, 1);
  }

  /** Runs `body` on the account's state and commits what it wrote, retrying when another writer came first. */
  async #transact<T>(account: string, body: (tx: Tx) => Promise<T>): Promise<T> {
    const previous = this.#queues.get(account) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const state = await this.#state(account);
          const version = state.version;
          const tx: Tx = { account, state, writes: [], appended: new Map() };
          const result = await body(tx);
          if (tx.writes.length === 0) return result;
          const applied = await this.#session.conditionalBatch([
            {
              cql:
                `UPDATE ${this.#t} SET version = ?, next_seq = ?, last_created_at = ?, entry_count = ?, content_total = ?, ` +
                'unread_counts = ? WHERE account = ? IF version = ?',
              params: [
                (version ?? 0) + 1,
                state.nextSeq,
                state.lastCreatedAt,
                state.entries,
                state.bytes,
                Object.fromEntries([...state.unread].filter(([, n]) => n > 0)),
                account,
                version,
              ],
            },
            ...tx.writes,
          ]);
          if (applied) return result;
        }
        throw new StoreError(`the journal of ${account} is too busy: gave up after ${MAX_ATTEMPTS} attempts`);
      });
    this.#queues.set(account, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(account) === run) this.#queues.delete(account);
    }
  }

  async #state(account: string): Promise<State> {
    const row = (
      await this.#session.rows(
        `SELECT version, next_seq, last_created_at, entry_count, content_total, unread_counts FROM ${this.#t} WHERE account = ? LIMIT 1`,
        [account],
      )
    )[0];
    const unread = new Map<string, number>();
    const counts: unknown = row?.get('unread_counts');
    if (counts !== null && typeof counts === 'object') {
      for (const [contact, n] of Object.entries(counts as Record<string, unknown>))
        unread.set(contact, num(n) ?? 0);
    }
    return {
      version: num(row?.get('version')) ?? null,
      nextSeq: num(row?.get('next_seq')) ?? 1,
      lastCreatedAt: num(row?.get('last_created_at')) ?? 0,
      entries: num(row?.get('entry_count')) ?? 0,
      bytes: num(row?.get('content_total')) ?? 0,
      unread,
    };
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

  async #byId(account: string, messageId: string): Promise<JournalEntry | undefined> {
    const seq = await this.#seqOf(account, messageId);
    if (seq === undefined) return undefined;
    const row = (
      await this.#session.rows(
        `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key = ?`,
        [account, key(seq)],
      )
    )[0];
    return row === undefined ? undefined : decode(account, row);
  }

  /** Every entry of the account, oldest first (the operations on a conversation scan its partition). */
  async #all(account: string): Promise<JournalEntry[]> {
    const rows = await this.#session.rows(
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}'`,
      [account],
    );
    return rows.map((row) => decode(account, row));
  }

  async #oldest(account: string, limit: number): Promise<readonly JournalEntry[]> {
    return (await this.#after(account, 0, limit)).entries;
  }

  async #after(account: string, seq: number, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    const rows = await this.#session.rows(
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key > ? LIMIT ?`,
      [account, key(seq), limit + 1],
    );
    const { entries, hasMore } = within(
      rows.map((row) => decode(account, row)),
      limit,
      bounds,
    );
    return { entries, hasMore, next: entries.at(-1)?.cursor ?? encodeCursor(seq) };
  }

  async #before(
    account: string,
    seq: number,
    limit: number,
    given: string,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    const rows = await this.#session.rows(
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE account = ? AND kind = '${ENTRY}' AND key < ? ` +
        'ORDER BY kind DESC, key DESC LIMIT ?',
      [account, key(seq), limit + 1],
    );
    const { entries, hasMore } = within(
      rows.map((row) => decode(account, row)),
      limit,
      bounds,
    );
    entries.reverse();
    return { entries, hasMore, next: entries[0]?.cursor ?? given };
  }

  async #emptyTail(account: string): Promise<JournalPage> {
    const newest = (await this.#before(account, Number.MAX_SAFE_INTEGER, 1, JOURNAL_START)).entries[0];
    return { entries: [], hasMore: false, next: newest?.cursor ?? JOURNAL_START };
  }
}

/** Entries in read order, at most `limit`, and within the size bound (the first always). */
function within(
  read: JournalEntry[],
  limit: number,
  bounds: ReadBounds | undefined,
): { entries: JournalEntry[]; hasMore: boolean } {
  const max = bounds?.maxContentBytes;
  const entries: JournalEntry[] = [];
  let total = 0;
  for (const entry of read.slice(0, limit)) {
    const bytes = bytesOf(entry.content);
    if (max !== undefined && entries.length > 0 && total + bytes > max) break;
    entries.push(entry);
    total += bytes;
  }
  return { entries, hasMore: read.length > entries.length };
}

function subtractUnread(state: State, contact: string, n: number): void {
  const left = (state.unread.get(contact) ?? 0) - n;
  if (left > 0) state.unread.set(contact, left);
  else state.unread.delete(contact);
}

function num(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  // bigint columns read as the driver's Long.
  const n =
    typeof value === 'number' ? value : value instanceof cassandra.types.Long ? value.toNumber() : NaN;
  if (!Number.isSafeInteger(n)) throw new StoreError('a journal row has an unreadable number');
  return n;
}

function decode(account: string, row: CqlRow): JournalEntry {
  const seq = num(row.get('seq'));
  const createdAt = num(row.get('created_at'));
  const list: unknown = row.get('disposition');
  const text = (column: string): string => {
    const value: unknown = row.get(column);
    if (typeof value !== 'string') throw new StoreError(`a journal row has no readable ${column}`);
    return value;
  };
  if (seq === undefined || createdAt === undefined) throw new StoreError('a journal row is unreadable');
  const state: unknown = row.get('state');
  return {
    account,
    cursor: encodeCursor(seq),
    messageId: text('message_id'),
    contact: text('contact'),
    direction: text('direction') as Direction,
    contentType: text('content_type'),
    content: text('content'),
    // An empty list reads as null in Cassandra: has_disposition tells [] from null.
    disposition: row.get('has_disposition') === true ? (Array.isArray(list) ? (list as string[]) : []) : null,
    state: typeof state === 'string' ? (state as EntryState) : null,
    timestamp: text('msg_timestamp'),
    createdAt,
    unread: row.get('unread') === true,
  };
}
