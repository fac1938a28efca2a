/**
 * The Cassandra journal's writes. Every write reads the account's state, then commits its rows and the new
 * state in one conditional batch on that partition (`IF version = ?`): a lightweight transaction, atomic and
 * isolated per account, retried when another writer committed first. Writers of one store to one account
 * also queue in process, so that they do not contend for the same version. Inputs arrive checked
 * (CheckedJournalStore).
 */
import { StoreError } from '../errors.js';
import { decodeCursor } from '../journal/cursor.js';
import { matches, recordFor, storedEntry, withUnreadTotals } from '../journal/results.js';
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
import type { JournalWriter, PurgedChunk } from '../journal/writer.js';
import type { CassandraJournalReader } from './journal-reader.js';
import {
  bytesOf,
  COLUMNS,
  ENTRY,
  entryKey,
  ID,
  type JournalState,
  readJournalState,
  subtractUnread,
  unreadTotal,
} from './journal-rows.js';
import type { CassandraSession, CqlValue } from './session.js';

/** Attempts of one transaction against writers of other processes before it gives up. */
const MAX_ATTEMPTS = 100;
/** Entries one purge transaction removes at most: a batch of bounded size, whatever the account's age. */
const PURGE_TRANSACTION = 500;

interface Statement {
  readonly cql: string;
  readonly params: readonly CqlValue[];
}

/** One transaction's view: the state it read, and the writes it will commit. */
interface Tx {
  readonly account: string;
  readonly state: JournalState;
  readonly writes: Statement[];
  /** What this transaction appended, by message id: a batch that repeats an id stores it once. */
  readonly appended: Map<string, JournalEntry>;
}

export class CassandraJournalWriter implements JournalWriter {
  readonly #session: CassandraSession;
  readonly #t: string;
  readonly #reader: CassandraJournalReader;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(session: CassandraSession, table: string, reader: CassandraJournalReader) {
    this.#session = session;
    this.#t = table;
    this.#reader = reader;
  }

  async append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    return this.#transact(account, (tx) => this.#appendIn(tx, entry, now));
  }

  async appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    // Cassandra has no transaction across partitions: each account's items commit together, in order.
    const results: AppendResult[] = new Array<AppendResult>(items.length);
    const byAccount = new Map<string, { i: number; item: AppendItem }[]>();
    items.forEach((item, i) => {
      const list = byAccount.get(item.account) ?? [];
      list.push({ i, item });
      byAccount.set(item.account, list);
    });
    await Promise.all(
      [...byAccount].map(([account, list]) =>
        this.#transact(account, async (tx) => {
          const stored: AppendResult[] = [];
          for (const { item } of list) stored.push(await this.#appendIn(tx, item.entry, item.now ?? now));
          // The counters as this transaction commits them.
          return withUnreadTotals(
            list.map(({ item }) => item),
            stored,
            () => unreadTotal(tx.state),
          );
        }).then((stored) => {
          list.forEach(({ i }, k) => {
            const result = stored[k];
            if (result !== undefined) results[i] = result;
          });
        }),
      ),
    );
    return results;
  }

  async updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    return this.#transact(account, async (tx): Promise<UpdateResult> => {
      const entry = await this.#reader.byId(account, messageId);
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
          entryKey(decodeCursor(entry.cursor)),
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
    return this.#transact(account, async (tx) => {
      let count = 0;
      for (const entry of await this.#reader.all(account)) {
        if (entry.contact !== contact || (entry.disposition !== null && entry.disposition.length === 0))
          continue;
        tx.writes.push({
          cql: `UPDATE ${this.#t} SET disposition = [], has_disposition = true, unread = false WHERE account = ? AND kind = '${ENTRY}' AND key = ?`,
          params: [account, entryKey(decodeCursor(entry.cursor))],
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
    return this.#transact(account, async (tx) => {
      const entry = await this.#reader.byId(account, messageId);
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
    return this.#transact(account, async (tx) => {
      let count = 0;
      for (const entry of await this.#reader.all(account)) {
        if (entry.contact !== contact) continue;
        this.#remove(tx, entry);
        count++;
      }
      tx.state.unread.delete(contact);
      return { count, record: await this.#recordIn(tx, options.record, options.now) };
    });
  }

  async removeAll(account: string): Promise<number> {
    return this.#transact(account, async (tx) => {
      const all = await this.#reader.all(account);
      for (const entry of all) this.#remove(tx, entry);
      tx.state.unread.clear();
      return all.length;
    });
  }

  /**
   * Account by account, oldest first, in transactions of at most PURGE_TRANSACTION entries (a partition is
   * the unit of a Cassandra transaction); stops once `limit` entries are gone.
   */
  async purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk> {
    const accounts = await this.#session.rows(`SELECT DISTINCT account FROM ${this.#t}`);
    let deleted = 0;
    for (const row of accounts) {
      const account = String(row.get('account'));
      for (;;) {
        const room = Math.min(PURGE_TRANSACTION, limit - deleted);
        if (room <= 0) return { deleted, full: true };
        const purged = await this.#transact(account, async (tx) => {
          // Oldest first; createdAt never goes back along the sequence. #remove keeps the counters.
          const old = (await this.#reader.oldest(account, room)).filter((entry) => entry.createdAt < cutoff);
          for (const entry of old) this.#remove(tx, entry);
          return old.length;
        });
        deleted += purged;
        if (purged < room) break;
      }
    }
    return { deleted, full: false };
  }

  /** Inside a transaction. */
  async #appendIn(tx: Tx, entry: NewEntry, now: number): Promise<AppendResult> {
    const earlier =
      tx.appended.get(entry.messageId) ?? (await this.#reader.byId(tx.account, entry.messageId));
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
          entryKey(seq),
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
        params: [tx.account, entryKey(decodeCursor(entry.cursor))],
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
          const state = await readJournalState(this.#session, this.#t, account);
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
}
