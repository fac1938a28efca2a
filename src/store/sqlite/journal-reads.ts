/** The journal's read statements on SQLite, prepared on each connection that reads (server and writer). */
import type Database from 'better-sqlite3';
import type { JournalRead } from '../journal/row-source.js';
import { journalSql } from '../journal/sql.js';
import { tableNamer } from '../tables.js';

export type JournalStatement = Database.Statement<unknown[], unknown[]>;

export function prepareJournalReads(db: Database.Database): Record<JournalRead, JournalStatement> {
  const sql = journalSql(tableNamer('sqlite'), () => '?');
  const rows = (text: string): JournalStatement => db.prepare<unknown[], unknown[]>(text).raw(true);
  return {
    byId: rows(sql.byId),
    unread: rows(sql.unread),
    after: rows(sql.after),
    before: rows(sql.before),
    afterSizes: rows(sql.afterSizes),
    beforeSizes: rows(sql.beforeSizes),
    range: rows(sql.range),
    seqOf: rows(sql.seqOf),
    firstSince: rows(sql.firstSince),
    count: rows(sql.count),
    usage: rows(sql.usage),
    appendCheck: rows(sql.appendCheck),
    contentTypes: rows(sql.contentTypes),
  };
}
