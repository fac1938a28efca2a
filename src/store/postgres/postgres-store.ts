/**
 * The shared store for several instances: PostgreSQL through a pg Pool. A commit is durable as the server
 * is configured (synchronous_commit = on, its default, waits for the WAL flush).
 */
import { SqlAddressBookStore } from '../address-books/sql-address-books.js';
import { describeConnection, type ServerConnection } from '../../sql/uri.js';
import type { JournalStore } from '../journal/journal-store.js';
import type { Migration } from '../migrations.js';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_TIMEOUT_MS, type OpenStoreOptions, type Store } from '../store.js';
import { tableNamer } from '../tables.js';
import { SqlPublicKeyStore } from '../public-keys/sql-public-keys.js';
import { SqlPushTokenStore } from '../push-tokens/sql-push-tokens.js';
import { SqlStorageAccountStore } from '../storage-accounts/sql-storage-accounts.js';
import { PostgresClusterStore } from './cluster.js';
import { postgresJournal } from './journal.js';
import { PostgresLocationStore } from './locations.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from './migrations.js';
import { PostgresPool } from './pool.js';
import { PostgresRunner } from './runner.js';
import { PostgresSubscriberStore } from './subscribers.js';

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  readonly subscribers: PostgresSubscriberStore;
  readonly locations: PostgresLocationStore;
  readonly journal: JournalStore;
  readonly storageAccounts: SqlStorageAccountStore;
  readonly publicKeys: SqlPublicKeyStore;
  readonly addressBooks: SqlAddressBookStore;
  readonly pushTokens: SqlPushTokenStore;
  readonly cluster: PostgresClusterStore;
  readonly description: string;
  readonly schemaVersion: number;
  readonly #pool: PostgresPool;

  constructor(
    pool: PostgresPool,
    description: string,
    schemaVersion: number,
    schema: string | undefined,
    options: OpenStoreOptions = {},
  ) {
    this.#pool = pool;
    this.description = description;
    this.schemaVersion = schemaVersion;
    const table = tableNamer('postgres', schema);
    this.subscribers = new PostgresSubscriberStore(pool, table);
    this.locations = new PostgresLocationStore(pool, table);
    this.journal = postgresJournal(pool, table, options);
    const runner = new PostgresRunner(pool);
    this.storageAccounts = new SqlStorageAccountStore(runner, table);
    this.publicKeys = new SqlPublicKeyStore(runner, table);
    this.addressBooks = new SqlAddressBookStore(runner, table);
    this.pushTokens = new SqlPushTokenStore(runner, table);
    this.cluster = new PostgresClusterStore(pool, table);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** Connects, and migrates the database (or `schema`). `migrations` is for tests. */
export async function openPostgresStore(
  connection: ServerConnection,
  schema: string | undefined,
  options: OpenStoreOptions = {},
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<PostgresStore> {
  const pool = new PostgresPool(connection, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    onStatement: options.onStatement,
  });
  try {
    const version = await migratePostgres(pool, schema, migrations);
    const where = describeConnection(connection) + (schema === undefined ? '' : ` (schema ${schema})`);
    return new PostgresStore(pool, where, version, schema, options);
  } catch (error) {
    await pool.close();
    throw error;
  }
}
