/** The journal statements both SQL backends share, but for placeholders and quoting. */
import { JOURNAL_ACCOUNT_TABLE, JOURNAL_TABLE, type TableNamer, UNREAD_TABLE } from '../tables.js';
import { ENTRY_COLUMNS } from './row.js';

export interface JournalSql {
  /** (account, message_id) → ENTRY_COLUMNS */
  readonly byId: string;
  /** ENTRY_COLUMNS values */
  readonly insert: string;
  /** (account, contact): one more unread message in the conversation */
  readonly addUnread: string;
  /** (n, account, contact) */
  readonly subtractUnread: string;
  /** (account, contact): drops the counter once it is down to zero */
  readonly dropEmptyUnread: string;
  /** (account, contact) */
  readonly clearUnread: string;
  /** (account) */
  readonly clearAllUnread: string;
  /** (account) → contact, unread */
  readonly unread: string;
  /** (state, disposition, unread, account, seq) */
  readonly update: string;
  /** (account, seq) */
  readonly remove: string;
  /** (account, contact) → changes: dispositions emptied */
  readonly markRead: string;
  /** (account, contact) */
  readonly removeConversation: string;
  /** (account) */
  readonly removeAll: string;
  /** (account, seq, limit) → ENTRY_COLUMNS, oldest first */
  readonly after: string;
  /** (account, seq, limit) → ENTRY_COLUMNS, newest first */
  readonly before: string;
  /** (account, seq, limit) → seq, content bytes, oldest first: a bounded read's plan, no content read */
  readonly afterSizes: string;
  /** (account, seq, limit) → seq, content bytes, newest first */
  readonly beforeSizes: string;
  /** (account, first seq, last seq) → ENTRY_COLUMNS, oldest first */
  readonly range: string;
  /** (account, message_id) → seq */
  readonly seqOf: string;
  /** (account, since) → seq of the first entry stored after `since` */
  readonly firstSince: string;
  /** (account) → n */
  readonly count: string;
  /** (account) → entries, content bytes; no row for an account that never had an entry */
  readonly usage: string;
  /**
   * (account, message_id) → entries, content bytes, then ENTRY_COLUMNS of the account's entry with that id:
   * what the admission reads before an append, in one statement (nulls for what the account lacks; the
   * CAST gives PostgreSQL the parameter's type, SQLite takes it as is)
   */
  readonly appendCheck: string;
  /** (account) → content_type, n */
  readonly contentTypes: string;
}

export function journalSql(table: TableNamer, placeholder: (n: number) => string): JournalSql {
  const j = table(JOURNAL_TABLE);
  const u = table(UNREAD_TABLE);
  const p = placeholder;
  const columns = ENTRY_COLUMNS.join(', ');
  return {
    byId: `SELECT ${columns} FROM ${j} WHERE account = ${p(1)} AND message_id = ${p(2)}`,
    insert: `INSERT INTO ${j} (${columns}) VALUES (${ENTRY_COLUMNS.map((_, i) => p(i + 1)).join(', ')})`,
    addUnread:
      `INSERT INTO ${u} AS c (account, contact, unread) VALUES (${p(1)}, ${p(2)}, 1) ` +
      'ON CONFLICT (account, contact) DO UPDATE SET unread = c.unread + 1',
    subtractUnread: `UPDATE ${u} SET unread = unread - ${p(1)} WHERE account = ${p(2)} AND contact = ${p(3)}`,
    dropEmptyUnread: `DELETE FROM ${u} WHERE account = ${p(1)} AND contact = ${p(2)} AND unread <= 0`,
    clearUnread: `DELETE FROM ${u} WHERE account = ${p(1)} AND contact = ${p(2)}`,
    clearAllUnread: `DELETE FROM ${u} WHERE account = ${p(1)}`,
    unread: `SELECT contact, unread FROM ${u} WHERE account = ${p(1)} AND unread > 0 ORDER BY contact`,
    update: `UPDATE ${j} SET state = ${p(1)}, disposition = ${p(2)}, unread = ${p(3)} WHERE account = ${p(4)} AND seq = ${p(5)}`,
    remove: `DELETE FROM ${j} WHERE account = ${p(1)} AND seq = ${p(2)}`,
    // Only rows that change, through the (account, contact) index: a conversation read twice costs nothing.
    markRead:
      `UPDATE ${j} SET disposition = '[]', unread = 0 WHERE account = ${p(1)} AND contact = ${p(2)} ` +
      "AND (disposition IS NULL OR disposition <> '[]')",
    removeConversation: `DELETE FROM ${j} WHERE account = ${p(1)} AND contact = ${p(2)}`,
    removeAll: `DELETE FROM ${j} WHERE account = ${p(1)}`,
    // Both are a range of the (account, seq) primary key, whatever the account's size.
    after: `SELECT ${columns} FROM ${j} WHERE account = ${p(1)} AND seq > ${p(2)} ORDER BY seq LIMIT ${p(3)}`,
    before: `SELECT ${columns} FROM ${j} WHERE account = ${p(1)} AND seq < ${p(2)} ORDER BY seq DESC LIMIT ${p(3)}`,
    // octet_length reads the length from the row header (SQLite) or the TOAST pointer (PostgreSQL), not
    // the content: sizing 5000 large entries costs what reading 5000 small rows does.
    afterSizes: `SELECT seq, octet_length(content) FROM ${j} WHERE account = ${p(1)} AND seq > ${p(2)} ORDER BY seq LIMIT ${p(3)}`,
    beforeSizes: `SELECT seq, octet_length(content) FROM ${j} WHERE account = ${p(1)} AND seq < ${p(2)} ORDER BY seq DESC LIMIT ${p(3)}`,
    range: `SELECT ${columns} FROM ${j} WHERE account = ${p(1)} AND seq >= ${p(2)} AND seq <= ${p(3)} ORDER BY seq`,
    seqOf: `SELECT seq FROM ${j} WHERE account = ${p(1)} AND message_id = ${p(2)}`,
    // createdAt never decreases along an account's sequence, so the first entry after `since` starts the
    // answer and the rest is a plain after() query.
    firstSince:
      `SELECT seq FROM ${j} WHERE account = ${p(1)} AND created_at > ${p(2)} ` +
      'ORDER BY created_at, seq LIMIT 1',
    count: `SELECT COUNT(*) AS n FROM ${j} WHERE account = ${p(1)}`,
    usage: `SELECT entries, content_bytes FROM ${table(JOURNAL_ACCOUNT_TABLE)} WHERE account = ${p(1)}`,
    appendCheck:
      `SELECT a.entries, a.content_bytes, ${ENTRY_COLUMNS.map((c) => `e.${c}`).join(', ')} ` +
      `FROM (SELECT CAST(${p(1)} AS TEXT) AS account) q LEFT JOIN ${table(JOURNAL_ACCOUNT_TABLE)} a ON a.account = q.account ` +
      `LEFT JOIN ${j} e ON e.account = q.account AND e.message_id = ${p(2)}`,
    contentTypes: `SELECT content_type, COUNT(*) AS n FROM ${j} WHERE account = ${p(1)} GROUP BY content_type ORDER BY content_type`,
  };
}

/** The sequence table: (account, now) → last_seq, last_created_at after taking the next number. */
export function nextSequenceSql(
  table: TableNamer,
  placeholder: (n: number) => string,
  greatest: 'max' | 'GREATEST',
): string {
  const a = table(JOURNAL_ACCOUNT_TABLE);
  return (
    `INSERT INTO ${a} AS a (account, last_seq, last_created_at) VALUES (${placeholder(1)}, 1, ${placeholder(2)}) ` +
    `ON CONFLICT (account) DO UPDATE SET last_seq = a.last_seq + 1, ` +
    `last_created_at = ${greatest}(a.last_created_at, excluded.last_created_at) ` +
    'RETURNING last_seq, last_created_at'
  );
}
