/**
 * What the SQL backends share, for the store (src/store) and the credential backend (src/credentials):
 * database URIs, checked and quoted identifiers, driver loading, pool settings, error text, and the type
 * of a bound value.
 */
export { describeError } from './describe-error.js';
export { type DriverLoadFailure, loadDriverPackage } from './driver-package.js';
export { isSqlIdentifier, isSqlTableName, quoteSqlName, SqlIdentifierError } from './identifiers.js';
export { mysqlPoolConfig } from './mysql-pool-config.js';
export { postgresPoolConfig } from './postgres-pool-config.js';
export {
  type DatabaseConnection,
  DatabaseUriError,
  describeConnection,
  parseDatabaseUri,
  type PostgresSslMode,
  type ServerConnection,
  type SqlDialect,
  type SqliteFileConnection,
} from './uri.js';
export type { SqlValue } from './value.js';
