/**
 * One better-sqlite3 connection shared by the SQLite stores, and the guard every operation runs through:
 * it refuses work after close and turns driver errors into StoreErrors. better-sqlite3 is synchronous and
 * a keyed statement takes microseconds, so operations run inline; the promise is only for the interface.
 */
import type Database from 'better-sqlite3';
import { describeError } from '../../sql/describe-error.js';
import { StoreError } from '../errors.js';

export class SqliteConnection {
  #closed = false;

  constructor(
    readonly db: Database.Database,
    readonly path: string,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  run<T>(operation: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreError('the store is closed'));
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(toStoreError(error, this.path));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}

export function toStoreError(error: unknown, path: string): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`SQLite error (${path}): ${describeError(error)}`, { cause: error });
}

/** SQLite's unique and primary-key violations. */
export function isSqliteUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
