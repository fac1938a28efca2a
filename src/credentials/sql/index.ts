/** The SQL credential backend (msrprelay's `backend = database`). Driver packages load on first use. */
export type { DriverOptions, SqlDriver, SqlParameter } from './driver.js';
export { openSqlDriver } from './driver.js';
export { isSqlIdentifier, isSqlTableName, SqlIdentifierError } from './identifiers.js';
export type { CredentialTable } from './query.js';
export { DEFAULT_CREDENTIAL_TABLE } from './query.js';
export { type DatabaseSettings, DEFAULT_DATABASE_URI, readDatabaseSettings } from './settings.js';
export {
  DEFAULT_LOOKUP_TIMEOUT_MS,
  type OpenSqlCredentialStoreOptions,
  openSqlCredentialStore,
  SqlCredentialStore,
  type SqlCredentialStoreOptions,
} from './store.js';
export {
  type DatabaseConnection,
  DatabaseUriError,
  describeConnection,
  parseDatabaseUri,
  type ServerConnection,
  type SqlDialect,
  type SqliteConnection,
} from './uri.js';
