/**
 * The pg Pool behind the PostgreSQL store, with the settings the relay's credential driver uses too
 * (postgresPoolConfig). Queries go through `query`, which refuses work after close and
 * turns driver errors into StoreErrors with any password masked.
 */
import pg from 'pg';
import { describeError } from '../../sql/describe-error.js';
import { postgresPoolConfig } from '../../sql/postgres-pool-config.js';
import type { ServerConnection } from '../../sql/uri.js';
import type { SqlValue } from '../../sql/value.js';
import { StoreError } from '../errors.js';

export type Row = Record<string, unknown>;

export interface PoolOptions {
  readonly timeoutMs: number;
  readonly maxConnections: number;
  /** Told each statement sent (OpenStoreOptions.onStatement). */
  readonly onStatement?: ((text: string) => void) | undefined;
}

export class PostgresPool {
  readonly pool: pg.Pool;
  readonly #secret: string | undefined;
  readonly #onStatement: ((text: string) => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(connection: ServerConnection, options: PoolOptions) {
    this.#secret = connection.password;
    this.#onStatement = options.onStatement;
    this.pool = new pg.Pool(postgresPoolConfig(connection, options));
    // A broken idle connection is dropped and reported here; unheard, the event would crash the process.
    this.pool.on('error', () => undefined);
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Runs one statement. A `name` makes it a prepared statement, parsed once per pooled connection; use it
   * for the fixed statements of hot paths.
   */
  async query(text: string, values: readonly SqlValue[] = [], name?: string): Promise<pg.QueryResult<Row>> {
    if (this.#closed !== undefined) throw new StoreError('the store is closed');
    this.sent(text);
    try {
      return await this.pool.query<Row>({
        text,
        values: [...values],
        ...(name === undefined ? {} : { name }),
      });
    } catch (error) {
      throw this.error(error);
    }
  }

  /** query(), with each row as an array of the selected columns in order. */
  async queryArrays(text: string, values: readonly SqlValue[] = [], name?: string): Promise<unknown[][]> {
    if (this.#closed !== undefined) throw new StoreError('the store is closed');
    this.sent(text);
    try {
      const result = await this.pool.query<unknown[]>({
        text,
        values: [...values],
        rowMode: 'array',
        ...(name === undefined ? {} : { name }),
      });
      return result.rows;
    } catch (error) {
      throw this.error(error);
    }
  }

  /** Every statement, on the pool or in a transaction (transaction.ts), is reported here once. */
  sent(text: string): void {
    this.#onStatement?.(text);
  }

  error(error: unknown): StoreError {
    if (error instanceof StoreError) return error;
    return new StoreError(`PostgreSQL error: ${describeError(error, this.#secret)}`, { cause: error });
  }

  close(): Promise<void> {
    this.#closed ??= this.pool.end().catch(() => undefined);
    return this.#closed;
  }
}

/** PostgreSQL's unique_violation. */
export function isPostgresUniqueViolation(error: unknown): boolean {
  return error instanceof StoreError && (error.cause as { code?: unknown } | undefined)?.code === '23505';
}

/** COUNT(*) and BIGINT columns arrive as strings. */
export function toCount(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new StoreError(`PostgreSQL returned a bad count: ${String(value)}`);
  return n;
}
