/**
 * The one thing the credential store needs from a database: run a parameterised query and get rows back
 * as arrays. Each driver module, and the npm package behind it, is loaded only when its dialect is used,
 * so a deployment on one database does not need the others' packages.
 */
import { CredentialStoreError } from '../store.js';
import type { DatabaseConnection } from './uri.js';

export type SqlParameter = string;

export interface SqlDriver {
  /** Rows as arrays of column values, in the order selected. Rejects with CredentialStoreError. */
  query(sql: string, params: readonly SqlParameter[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

export interface DriverOptions {
  /** Bounds connecting and each query, in milliseconds. */
  readonly timeoutMs: number;
  /** Most connections a pool opens. Default 4: a lookup by key takes a millisecond. */
  readonly maxConnections?: number;
}

/** Loads the dialect's driver and creates its pool; connecting happens on the first query. */
export async function openSqlDriver(
  connection: DatabaseConnection,
  options: DriverOptions,
): Promise<SqlDriver> {
  switch (connection.dialect) {
    case 'mysql':
      return (await import('./drivers/mysql.js')).openMysqlDriver(connection, options);
    case 'postgres':
      return (await import('./drivers/postgres.js')).openPostgresDriver(connection, options);
    case 'sqlite':
      return (await import('./drivers/sqlite.js')).openSqliteDriver(connection, options);
  }
}

/** Imports a driver package, turning a missing one into an error that says what to install. */
export async function loadDriverPackage<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CredentialStoreError(
        `the database driver package '${name}' is not installed (npm install ${name})`,
        {
          cause: error,
        },
      );
    }
    throw new CredentialStoreError(
      `cannot load the database driver package '${name}': ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A driver error as one line, with `secret` (the password) masked should a driver ever echo it. Node's
 * connection errors can be an AggregateError with an empty message (one error per address tried).
 */
export function describeError(error: unknown, secret?: string): string {
  let message: string;
  if (error instanceof AggregateError && error.message === '') {
    message = error.errors.map((inner) => describeError(inner)).join('; ');
  } else if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    message = error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
  } else {
    message = String(error);
  }
  message = message.replace(/\s+/g, ' ').trim();
  return secret === undefined || secret === '' ? message : message.replaceAll(secret, '***');
}
