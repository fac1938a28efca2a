/**
 * The embedded store: one SQLite file through better-sqlite3. WAL lets the relay and the CLI read and
 * write while the server does; `synchronous = FULL` syncs the WAL at every commit, so a write that
 * resolved survives a power cut, not only a crash of the process (NORMAL would only promise the latter).
 */
import { SqlAddressBookStore } from '../address-books/sql-address-books.js';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteFileConnection } from '../../sql/uri.js';
import { StoreError } from '../errors.js';
import type { JournalStore } from '../journal/journal-store.js';
import type { Migration } from '../migrations.js';
import { DEFAULT_BUSY_TIMEOUT_MS, type OpenStoreOptions, type Store } from '../store.js';
import { SqlPublicKeyStore } from '../public-keys/sql-public-keys.js';
import { SqlPushTokenStore } from '../push-tokens/sql-push-tokens.js';
import { SqlStorageAccountStore } from '../storage-accounts/sql-storage-accounts.js';
import { tableNamer } from '../tables.js';
import { SqliteConnection, toStoreError } from './connection.js';
import { type SqliteJournal, sqliteJournal } from './journal.js';
import { SqliteLocationStore } from './locations.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from './migrations.js';
import { SqliteRunner } from './runner.js';
import { SqliteSubscriberStore } from './subscribers.js';

export interface SqlitePragmas {
  readonly journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  readonly description: string;
  readonly subscribers: SqliteSubscriberStore;
  readonly locations: SqliteLocationStore;
  readonly journal: JournalStore;
  readonly storageAccounts: SqlStorageAccountStore;
  readonly publicKeys: SqlPublicKeyStore;
  readonly addressBooks: SqlAddressBookStore;
  readonly pushTokens: SqlPushTokenStore;
  readonly schemaVersion: number;
  readonly #connection: SqliteConnection;
  readonly #journal: SqliteJournal;

  constructor(connection: SqliteConnection, schemaVersion: number, options: OpenStoreOptions = {}) {
    this.#connection = connection;
    this.schemaVersion = schemaVersion;
    this.description = `sqlite://${connection.path}`;
    this.subscribers = new SqliteSubscriberStore(connection);
    this.locations = new SqliteLocationStore(connection);
    this.#journal = sqliteJournal(connection, options);
    this.journal = this.#journal.journal;
    const runner = new SqliteRunner(connection);
    const table = tableNamer('sqlite');
    this.storageAccounts = new SqlStorageAccountStore(runner, table);
    this.publicKeys = new SqlPublicKeyStore(runner, table);
    this.addressBooks = new SqlAddressBookStore(runner, table);
    this.pushTokens = new SqlPushTokenStore(runner, table);
  }

  /** The connection's durability settings, for checks and diagnostics. */
  pragmas(): SqlitePragmas {
    const db = this.#connection.db;
    return {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    };
  }

  /** The journal writer's thread first: the writes already asked for complete before the store closes. */
  async close(): Promise<void> {
    await this.#journal.close();
    try {
      this.#connection.close();
    } catch (error) {
      throw toStoreError(error, this.#connection.path);
    }
  }
}

/** Opens (creating unless `create: false`) and migrates the file. `migrations` is for tests. */
export function openSqliteStore(
  location: SqliteFileConnection,
  options: OpenStoreOptions = {},
  migrations: readonly Migration[] = SQLITE_MIGRATIONS,
): Promise<SqliteStore> {
  const { path } = location;
  if (!existsSync(path)) {
    if (options.create === false) return Promise.reject(new StoreError(`no database at ${path}`));
    if (!existsSync(dirname(path))) {
      return Promise.reject(new StoreError(`cannot create ${path}: its directory does not exist`));
    }
  }
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    if (mode !== 'wal') throw new StoreError(`${path} cannot use write-ahead logging (journal mode ${mode})`);
    db.pragma('synchronous = FULL');
    const version = migrateSqlite(db, migrations);
    return Promise.resolve(new SqliteStore(new SqliteConnection(db, path), version, options));
  } catch (error) {
    db?.close();
    return Promise.reject(toStoreError(error, path));
  }
}
