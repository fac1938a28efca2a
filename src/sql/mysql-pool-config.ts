/**
 * The mysql2 pool settings missive uses: every wait bounded, idle connections kept alive and all but one
 * dropped after 30 s; the pool drops a broken connection and opens a new one.
 */
import type { PoolOptions } from 'mysql2';
import type { ServerConnection } from './uri.js';

export function mysqlPoolConfig(
  connection: ServerConnection,
  limits: { readonly maxConnections: number; readonly timeoutMs: number },
): PoolOptions {
  return {
    ...(connection.socket === undefined
      ? { host: connection.host, port: connection.port ?? 3306 }
      : { socketPath: connection.socket }),
    user: connection.user ?? '',
    password: connection.password ?? '',
    database: connection.database,
    ...(connection.charset === undefined ? {} : { charset: connection.charset }),
    connectionLimit: limits.maxConnections,
    maxIdle: 1,
    idleTimeout: 30_000,
    connectTimeout: limits.timeoutMs,
    enableKeepAlive: true,
    waitForConnections: true,
  };
}
