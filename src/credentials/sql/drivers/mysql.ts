/** MySQL/MariaDB through `mysql2/promise`'s pool: it drops a broken connection and opens a new one. */
import { CredentialStoreError } from '../../store.js';
import { describeError, type DriverOptions, loadDriverPackage, type SqlDriver } from '../driver.js';
import type { ServerConnection } from '../uri.js';

export async function openMysqlDriver(
  connection: ServerConnection,
  options: DriverOptions,
): Promise<SqlDriver> {
  const mysql = await loadDriverPackage('mysql2', () => import('mysql2/promise'));
  const pool = mysql.createPool({
    ...(connection.socket === undefined
      ? { host: connection.host, port: connection.port ?? 3306 }
      : { socketPath: connection.socket }),
    user: connection.user ?? '',
    password: connection.password ?? '',
    database: connection.database,
    ...(connection.charset === undefined ? {} : { charset: connection.charset }),
    connectionLimit: options.maxConnections ?? 4,
    maxIdle: 1,
    idleTimeout: 30_000,
    connectTimeout: options.timeoutMs,
    enableKeepAlive: true,
    waitForConnections: true,
  });
  const secret = connection.password;
  let closed: Promise<void> | undefined;
  return {
    async query(sql, params) {
      try {
        // execute(): a server-side prepared statement, cached per connection; values are bound, not spliced.
        const [rows] = await pool.execute({ sql, timeout: options.timeoutMs, rowsAsArray: true }, [
          ...params,
        ]);
        return rows as unknown[][];
      } catch (error) {
        throw new CredentialStoreError(`MySQL error: ${describeError(error, secret)}`, { cause: error });
      }
    },
    close() {
      closed ??= pool.end().catch(() => undefined);
      return closed;
    },
  };
}
