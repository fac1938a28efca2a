/**
 * Opens the driver of a connection's dialect. Each driver module, and the npm package behind it, is loaded
 * only when its dialect is used, so a deployment on one database does not need the others' packages.
 */
import type { DatabaseConnection } from '../../sql/uri.js';
import type { DriverOptions, SqlDriver } from './driver.js';

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
