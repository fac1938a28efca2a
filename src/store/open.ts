/** Opens the store a URI names. Each backend module, and its driver package, loads only when used. */
import { loadDriverPackage } from '../sql/driver-package.js';
import { StoreError } from './errors.js';
import type { OpenStoreOptions, Store } from './store.js';
import { parseStoreUri } from './uri.js';

/**
 * `sqlite:///absolute/path.db`, `postgresql://user:password@host[:port]/database[?schema=name]` or
 * `cassandra://host[:port]/keyspace`. Creates
 * the tables or migrates them, and refuses a database migrated by a newer missive (SchemaVersionError).
 * Rejects with StoreUriError for a URI it cannot use, StoreError otherwise.
 */
export async function openStore(uri: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUri(uri);
  // The backend module imports its driver package (better-sqlite3, pg): a missing package, or one built for
  // another Node, fails this import.
  const fail = (message: string, cause: ErrorOptions): StoreError => new StoreError(message, cause);
  if (location.backend === 'sqlite') {
    const { openSqliteStore } = await loadDriverPackage(
      'better-sqlite3',
      () => import('./sqlite/sqlite-store.js'),
      fail,
    );
    return openSqliteStore(location.connection, options);
  }
  if (location.backend === 'cassandra') {
    const { openCassandraStore } = await loadDriverPackage(
      'cassandra-driver',
      () => import('./cassandra/cassandra-store.js'),
      fail,
    );
    return openCassandraStore(location.location, options);
  }
  const { openPostgresStore } = await loadDriverPackage(
    'pg',
    () => import('./postgres/postgres-store.js'),
    fail,
  );
  return openPostgresStore(location.connection, location.schema, options);
}
