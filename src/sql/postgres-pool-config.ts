/**
 * The pg Pool settings missive uses everywhere (relay credentials, the store): every wait bounded, idle
 * connections kept alive and dropped after 30 s, and no startup parameters such as `options` or
 * statement_timeout, which PgBouncer refuses by default.
 */
import type { PoolConfig } from 'pg';
import type { ServerConnection } from './uri.js';

export function postgresPoolConfig(
  connection: ServerConnection,
  limits: { readonly maxConnections: number; readonly timeoutMs: number },
): PoolConfig {
  return {
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
    max: limits.maxConnections,
    connectionTimeoutMillis: limits.timeoutMs, // also bounds the wait for a free pooled connection
    query_timeout: limits.timeoutMs, // a connection that went silent; the pool then discards it
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
  };
}
