/**
 * A transaction on one pooled connection. The store's writers take their locks in one order (an account's
 * journal row first; several accounts in the database's order of their names), so deadlocks should not
 * happen; should the server still report one (or a serialization failure), the whole transaction is
 * retried a few times.
 */
import type pg from 'pg';
import { StoreError } from '../errors.js';
import type { SqlValue } from '../../sql/value.js';
import type { PostgresPool, Row } from './pool.js';

export interface Transaction {
  query(text: string, values?: readonly SqlValue[], name?: string): Promise<pg.QueryResult<Row>>;
  /** Rows as arrays of the selected columns. */
  arrays(text: string, values?: readonly SqlValue[], name?: string): Promise<unknown[][]>;
}

const ATTEMPTS = 3;
/** deadlock_detected, serialization_failure */
const RETRYABLE = new Set(['40P01', '40001']);

/** Runs `work` between BEGIN and COMMIT; rolls back and rejects (StoreError or the work's own) on failure. */
export async function inTransaction<T>(
  pool: PostgresPool,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (pool.closed) throw new StoreError('the store is closed');
    let client: pg.PoolClient;
    try {
      client = await pool.pool.connect();
    } catch (error) {
      throw pool.error(error);
    }
    let broken = false;
    try {
      pool.sent('BEGIN');
      await client.query('BEGIN');
      const result = await work(transaction(pool, client));
      pool.sent('COMMIT');
      await client.query('COMMIT');
      return result;
    } catch (error) {
      pool.sent('ROLLBACK');
      await client.query('ROLLBACK').catch(() => {
        broken = true; // a connection in an unknown state is discarded, not pooled
      });
      if (attempt < ATTEMPTS && RETRYABLE.has(String((error as { code?: unknown } | null)?.code))) continue;
      throw pool.error(error);
    } finally {
      client.release(broken);
    }
  }
}

function transaction(pool: PostgresPool, client: pg.PoolClient): Transaction {
  return {
    query: (text, values = [], name) => {
      pool.sent(text);
      return client.query<Row>({ text, values: [...values], ...(name === undefined ? {} : { name }) });
    },
    async arrays(text, values = [], name) {
      pool.sent(text);
      const result = await client.query<unknown[]>({
        text,
        values: [...values],
        rowMode: 'array',
        ...(name === undefined ? {} : { name }),
      });
      return result.rows;
    },
  };
}
