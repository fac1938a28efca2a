/**
 * What the shared journal reader needs of a backend: one of the journal's read statements (JournalSql) run
 * with its values, its rows as arrays of the selected columns. SQLite runs its prepared statement, PostgreSQL
 * a named statement on the pool; either rejects with StoreError.
 */
import type { SqlValue } from '../../sql/value.js';
import type { JournalSql } from './sql.js';

export type JournalRead = keyof Pick<
  JournalSql,
  | 'byId'
  | 'unread'
  | 'after'
  | 'before'
  | 'afterSizes'
  | 'beforeSizes'
  | 'range'
  | 'seqOf'
  | 'firstSince'
  | 'count'
  | 'usage'
  | 'appendCheck'
  | 'contentTypes'
>;

export interface JournalRowSource {
  rows(statement: JournalRead, values: readonly SqlValue[]): Promise<unknown[][]>;
}
