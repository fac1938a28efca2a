/** Opens the store a URI names. Each backend module, and its driver package, loads only when used. */
import { describeError } from '../credentials/sql/driver.js';
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
  if (location.backend === 'sqlite') {
    const { openSqliteStore } = await loadBackend('SQLite', () => import('./sqlite/sqlite-store.js'));
    return openSqliteStore(location.connection, options);
  }
  if (location.backend === 'cassandra') {
    const { openCassandraStore } = await loadBackend(
      'Cassandra',
      () => import('./cassandra/cassandra-store.js'),
    );
    return openCassandraStore(location.location, options);
  }
  const { openPostgresStore } = await loadBackend('PostgreSQL', () => import('./postgres/postgres-store.js'));
  return openPostgresStore(location.connection, location.schema, options);
}

async function loadBackend<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    // Typically the driver package (better-sqlite3, pg) is missing or was built for another Node.
    throw new StoreError(`cannot load the ${name} store: ${describeError(error)}`, { cause: error });
  }
}
