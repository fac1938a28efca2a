/** PostgreSQL through `pg`'s Pool: it replaces a broken connection with a new one on the next query. */
import { CredentialStoreError } from '../../store.js';
import { describeError, type DriverOptions, loadDriverPackage, type SqlDriver } from '../driver.js';
import type { ServerConnection } from '../uri.js';

export async function openPostgresDriver(
  connection: ServerConnection,
  options: DriverOptions,
): Promise<SqlDriver> {
  const pg = (await loadDriverPackage('pg', () => import('pg'))).default;
  const pool = new pg.Pool({
    host: connection.socket ?? connection.host,
    port: connection.port ?? 5432,
    user: connection.user,
    password: connection.password, // undefined: pg's defaults (PGPASSWORD, ~/.pgpass)
    database: connection.database,
    ssl:
      connection.sslMode === 'disable'
        ? false
        : connection.sslMode === 'require'
          ? { rejectUnauthorized: false }
          : true,
    application_name: 'missive',
    // No `options` and no statement_timeout: both are startup parameters that PgBouncer refuses by default.
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.timeoutMs, // also bounds the wait for a free pooled connection
    query_timeout: options.timeoutMs, // a connection that went silent; the pool then discards it
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
  });
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
