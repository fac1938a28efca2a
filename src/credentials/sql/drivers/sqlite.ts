/**
 * SQLite through `better-sqlite3`, read-only. The driver is synchronous and a lookup by key takes
 * microseconds, so it runs inline rather than in a worker. The file is opened on the first query, and
 * again on the next one after a failure: a missing file is an error of each lookup until it appears.
 */
import type Database from 'better-sqlite3';
import { describeError } from '../../../sql/describe-error.js';
import { loadDriverPackage } from '../../../sql/driver-package.js';
import type { SqliteFileConnection } from '../../../sql/uri.js';
import { CredentialStoreError } from '../../store.js';
import type { DriverOptions, SqlDriver } from '../driver.js';

/** SQLite's busy handler sleeps on the event loop: wait at most this long for a writer's lock. */
const MAX_BUSY_WAIT_MS = 1000;

export async function openSqliteDriver(
  connection: SqliteFileConnection,
  options: DriverOptions,
): Promise<SqlDriver> {
  const BetterSqlite3 = (
    await loadDriverPackage(
      'better-sqlite3',
      () => import('better-sqlite3'),
      (message, options) => new CredentialStoreError(message, options),
    )
  ).default;
  let db: Database.Database | undefined;
  const statements = new Map<string, Database.Statement<unknown[], unknown[]>>();
  let closed = false;

  const open = (): Database.Database => {
    db ??= new BetterSqlite3(connection.path, {
      readonly: true,
      fileMustExist: true,
      timeout: Math.min(options.timeoutMs, MAX_BUSY_WAIT_MS),
    });
    return db;
  };
  const reset = (): void => {
    statements.clear();
    db?.close();
    db = undefined;
  };

  return {
    query(sql, params) {
      if (closed) return Promise.reject(new CredentialStoreError('SQLite error: the database is closed'));
      try {
        const database = open();
        let statement = statements.get(sql);
        if (statement === undefined) {
          statement = database.prepare<unknown[], unknown[]>(sql).raw(true);
          statements.set(sql, statement);
        }
        return Promise.resolve(statement.all(...params));
      } catch (error) {
        // Reopen next time: the file may have been missing, replaced or repaired.
        try {
          reset();
        } catch {
          // the handle is gone either way
        }
        return Promise.reject(
          new CredentialStoreError(`SQLite error (${connection.path}): ${describeError(error)}`, {
            cause: error,
          }),
        );
      }
    },
    close() {
      closed = true;
      try {
        reset();
      } catch {
        // closing a broken handle
      }
      return Promise.resolve();
    },
  };
}
