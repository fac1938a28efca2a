/** MySQL/MariaDB through `mysql2/promise`'s pool: it drops a broken connection and opens a new one. */
import { describeError } from '../../../sql/describe-error.js';
import { loadDriverPackage } from '../../../sql/driver-package.js';
import { mysqlPoolConfig } from '../../../sql/mysql-pool-config.js';
import type { ServerConnection } from '../../../sql/uri.js';
import { CredentialStoreError } from '../../store.js';
import { DEFAULT_CREDENTIAL_MAX_CONNECTIONS, type DriverOptions, type SqlDriver } from '../driver.js';

export async function openMysqlDriver(
  connection: ServerConnection,
  options: DriverOptions,
): Promise<SqlDriver> {
  const mysql = await loadDriverPackage(
    'mysql2',
    () => import('mysql2/promise'),
    (message, options) => new CredentialStoreError(message, options),
  );
  const pool = mysql.createPool(
    mysqlPoolConfig(connection, {
      maxConnections: options.maxConnections ?? DEFAULT_CREDENTIAL_MAX_CONNECTIONS,
      timeoutMs: options.timeoutMs,
    }),
  );
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
