/**
 * appendBatch on PostgreSQL as one statement: the items go in as column arrays, each account takes as many
 * sequence numbers as it has new entries (locking the accounts in the database's order of their names, as
 * purge does), and the entries and unread counters are written together. One round trip instead of one per
 * item. A duplicate of an id stored before is read back afterwards; of an id earlier in the batch, it is that
 * entry. Each item carries its caller's time (a group commit holds many callers' appends); an account's new
 * entries all take the latest of their times (never below the account's previous createdAt), so createdAt
 * still never goes back along the sequence, and is at most the group's spread (milliseconds) after a
 * caller's own time.
 */
import { StoreError } from '../errors.js';
import { storedEntry, withUnreadTotals } from '../journal/results.js';
import { decodeEntryRow, ENTRY_COLUMNS, requireInteger } from '../journal/row.js';
import { countsAsUnread } from '../journal/state.js';
import type { TimedAppendItem } from '../journal/group-commit.js';
import type { AppendResult, JournalEntry } from '../journal/types.js';
import { JOURNAL_ACCOUNT_TABLE, JOURNAL_TABLE, type TableNamer, UNREAD_TABLE } from '../tables.js';
import type { Transaction } from './transaction.js';

export interface BatchSql {
  /**
   * (the item columns as arrays) → account, message_id, seq, created_at, unread of what was stored, and
   * the account's unread total when an item of it has count_unread (else null)
   */
  readonly insert: string;
  /** (accounts[], message_ids[]) → ENTRY_COLUMNS */
  readonly existing: string;
}

/** The item columns, in parameter order, with their array types. */
const ITEM_COLUMNS = [
  ['account', 'text'],
  ['message_id', 'text'],
  ['contact', 'text'],
  ['direction', 'text'],
  ['content_type', 'text'],
  ['content', 'bytea'],
  ['disposition', 'text'],
  ['state', 'text'],
  ['msg_timestamp', 'text'],
  ['unread', 'smallint'],
  ['at_ms', 'bigint'],
  ['count_unread', 'smallint'],
] as const;

export function batchSql(table: TableNamer): BatchSql {
  const j = table(JOURNAL_TABLE);
  const a = table(JOURNAL_ACCOUNT_TABLE);
  const u = table(UNREAD_TABLE);
  const arrays = ITEM_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const names = ITEM_COLUMNS.map(([name]) => name).join(', ');
  const insert = `
    WITH input AS (
      SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS x(${names}, ord)
    ), fresh AS (
      SELECT DISTINCT ON (i.account, i.message_id) i.* FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM ${j} e WHERE e.account = i.account AND e.message_id = i.message_id)
      ORDER BY i.account, i.message_id, i.ord
    ), prev AS (
      SELECT account, last_seq, last_created_at FROM ${a} WHERE account IN (SELECT account FROM fresh)
    ), s AS (
      INSERT INTO ${a} AS a (account, last_seq, last_created_at)
      SELECT account, COUNT(*), MAX(at_ms) FROM fresh GROUP BY account ORDER BY account
      ON CONFLICT (account) DO UPDATE SET last_seq = a.last_seq + excluded.last_seq,
        last_created_at = GREATEST(a.last_created_at, excluded.last_created_at)
      RETURNING account, last_seq, last_created_at
    ), numbered AS (
      SELECT f.*, s.last_seq - COUNT(*) OVER w + ROW_NUMBER() OVER (w ORDER BY f.ord) AS seq,
        -- Each item's own time, never below an earlier entry's (as one append's GREATEST): the account's
        -- previous time as this statement's snapshot saw it, unless another writer appended meanwhile
        -- (its last_seq moved), when the newest time of all is the only one known to be high enough.
        CASE WHEN COALESCE(p.last_seq, 0) = s.last_seq - COUNT(*) OVER w
          THEN GREATEST(p.last_created_at, MAX(f.at_ms) OVER (w ORDER BY f.ord))
          ELSE s.last_created_at END AS created_at
      FROM fresh f JOIN s ON s.account = f.account LEFT JOIN prev p ON p.account = f.account
      WINDOW w AS (PARTITION BY f.account)
    ), e AS (
      INSERT INTO ${j} (${ENTRY_COLUMNS.join(', ')})
      SELECT ${ENTRY_COLUMNS.join(', ')} FROM numbered ORDER BY account, seq
      ON CONFLICT (account, message_id) DO NOTHING
      RETURNING account, message_id, contact, seq, created_at, unread
    ), counted AS (
      INSERT INTO ${u} AS c (account, contact, unread)
      SELECT account, contact, COUNT(*) FROM e WHERE unread = 1 GROUP BY account, contact ORDER BY account, contact
      ON CONFLICT (account, contact) DO UPDATE SET unread = c.unread + excluded.unread
    ), totals AS (
      -- The unread total of each account that asked, after this statement: the counters as its snapshot
      -- saw them (a CTE never sees another's writes) plus its own new unread entries.
      SELECT t.account, SUM(t.n) AS total FROM (
        SELECT account, unread AS n FROM ${u}
        WHERE unread > 0 AND account IN (SELECT account FROM input WHERE count_unread = 1)
        UNION ALL
        SELECT account, COUNT(*) FROM e
        WHERE unread = 1 AND account IN (SELECT account FROM input WHERE count_unread = 1) GROUP BY account
      ) t GROUP BY t.account
    )
    SELECT e.account, e.message_id, e.seq, e.created_at, e.unread, t.total
    FROM e LEFT JOIN totals t ON t.account = e.account`;
  const existing =
    `SELECT ${ENTRY_COLUMNS.join(', ')} FROM ${j} ` +
    'WHERE (account, message_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))';
  return { insert, existing };
}

const key = (account: string, messageId: string): string => `${account}\u0000${messageId}`;

/**
 * Runs the batch in `tx` (an open transaction, or the pool: the insert is then a transaction of its own).
 * `single` appends one item the slow way: for the rare duplicate whose first entry was removed between the
 * insert and the read back.
 */
export async function appendBatchIn(
  tx: Pick<Transaction, 'arrays'>,
  sql: BatchSql,
  items: readonly TimedAppendItem[],
  single: (item: TimedAppendItem) => Promise<AppendResult>,
): Promise<AppendResult[]> {
  const columns = ITEM_COLUMNS.map(() => [] as (string | number | Buffer | null)[]);
  for (const { account, entry, now, countUnread } of items) {
    const values = [
      account,
      entry.messageId,
      entry.contact,
      entry.direction,
      entry.contentType,
      Buffer.from(entry.content, 'utf8'),
      entry.disposition === null ? null : JSON.stringify(entry.disposition),
      entry.state,
      entry.timestamp,
      countsAsUnread(account, entry) ? 1 : 0,
      now,
      countUnread === true ? 1 : 0,
    ];
    values.forEach((value, i) => columns[i]?.push(value));
  }
  const stored = new Map<string, { seq: number; createdAt: number; unread: boolean }>();
  const unreadTotals = new Map<string, number>();
  for (const row of await tx.arrays(sql.insert, columns, 'missive_journal_batch')) {
    if (row[5] !== null) unreadTotals.set(String(row[0]), requireInteger(row[5], 'unread total'));
    stored.set(key(String(row[0]), String(row[1])), {
      seq: requireInteger(row[2], 'sequence number'),
      createdAt: requireInteger(row[3], 'createdAt'),
      unread: requireInteger(row[4], 'unread') === 1,
    });
  }
  const results: (AppendResult | undefined)[] = [];
  const first = new Map<string, JournalEntry>();
  const missing: number[] = [];
  items.forEach(({ account, entry }, i) => {
    const k = key(account, entry.messageId);
    const earlier = first.get(k);
    const written = stored.get(k);
    if (earlier !== undefined) results.push({ outcome: 'duplicate', entry: earlier });
    else if (written !== undefined) {
      const made = storedEntry(account, written.seq, entry, written.createdAt, written.unread);
      first.set(k, made);
      results.push({ outcome: 'stored', entry: made });
    } else {
      results.push(undefined);
      missing.push(i);
    }
  });
  if (missing.length > 0) {
    const rows = await tx.arrays(sql.existing, [
      missing.map((i) => items[i]?.account ?? ''),
      missing.map((i) => items[i]?.entry.messageId ?? ''),
    ]);
    const found = new Map(
      rows.map((row) => {
        const entry = decodeEntryRow(row);
        return [key(entry.account, entry.messageId), entry] as const;
      }),
    );
    for (const i of missing) {
      const item = items[i];
      if (item === undefined) continue;
      const k = key(item.account, item.entry.messageId);
      const entry = found.get(k) ?? first.get(k);
      if (entry !== undefined) results[i] = { outcome: 'duplicate', entry };
      else {
        const result = await single(item);
        first.set(k, result.entry);
        results[i] = result;
      }
    }
  }
  const complete = results.map((result) => {
    if (result === undefined) throw new StoreError('appendBatch left an item without a result');
    return result;
  });
  // An account that asked has a total whenever one of its items was stored (no counter at all: none).
  return withUnreadTotals(items, complete, (account) => unreadTotals.get(account) ?? 0);
}
