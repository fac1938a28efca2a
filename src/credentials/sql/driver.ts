/**
 * The one thing the credential store needs from a database: run a parameterised query and get rows back
 * as arrays. Each dialect's driver is in drivers/; open-driver.ts picks one.
 */
import type { SqlValue } from '../../sql/value.js';

export interface SqlDriver {
  /** Rows as arrays of column values, in the order selected. Rejects with CredentialStoreError. */
  query(sql: string, params: readonly SqlValue[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

export interface DriverOptions {
  /** Bounds connecting and each query, in milliseconds. */
  readonly timeoutMs: number;
  /** Most connections a pool opens. Default 4: a lookup by key takes a millisecond. */
  readonly maxConnections?: number;
}

/** Most connections a MySQL or PostgreSQL credential pool opens unless told otherwise. */
export const DEFAULT_CREDENTIAL_MAX_CONNECTIONS = 4;
