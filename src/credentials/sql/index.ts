/**
 * The SQL credential backend (msrprelay's `backend = database`). Driver packages load on first use. What it
 * shares with the store (URIs, identifiers, pools) is in src/sql.
 */
export type { DriverOptions, SqlDriver } from './driver.js';
export { openSqlDriver } from './open-driver.js';
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
