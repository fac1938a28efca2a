/** PostgreSQL through `pg`'s Pool: it replaces a broken connection with a new one on the next query. */
import { describeError } from '../../../sql/describe-error.js';
import { loadDriverPackage } from '../../../sql/driver-package.js';
import { postgresPoolConfig } from '../../../sql/postgres-pool-config.js';
import type { ServerConnection } from '../../../sql/uri.js';
import { CredentialStoreError } from '../../store.js';
import { DEFAULT_CREDENTIAL_MAX_CONNECTIONS, type DriverOptions, type SqlDriver } from '../driver.js';

export async function openPostgresDriver(
  connection: ServerConnection,
  options: DriverOptions,
): Promise<SqlDriver> {
  const pg = (
    await loadDriverPackage(
      'pg',
      () => import('pg'),
      (message, options) => new CredentialStoreError(message, options),
    )
  ).default;
  const pool = new pg.Pool(
    postgresPoolConfig(connection, {
      maxConnections: options.maxConnections ?? DEFAULT_CREDENTIAL_MAX_CONNECTIONS,
      timeoutMs: options.timeoutMs,
    }),
  );
  // An idle connection that breaks (server restart, network failure, pg_terminate_backend) is removed
  // from the pool, which then emits 'error'; with no listener that would crash the process.
  pool.on('error', () => undefined);
  const secret = connection.password;
  let closed: Promise<void> | undefined;
  return {
    async query(sql, params) {
      try {
        const result = await pool.query<unknown[]>({ text: sql, values: [...params], rowMode: 'array' });
        return result.rows;
      } catch (error) {
        throw new CredentialStoreError(`PostgreSQL error: ${describeError(error, secret)}`, { cause: error });
      }
    },
    close() {
      closed ??= pool.end().catch(() => undefined);
      return closed;
    },
  };
}
