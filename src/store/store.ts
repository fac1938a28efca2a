/** A storage backend opened from a URI: subscribers and registrations, later the message journal. */
import type { LocationStore } from './location/location-store.js';
import type { SubscriberStore } from './subscribers/subscriber-store.js';

export type StoreBackend = 'sqlite' | 'postgres';

export interface Store {
  readonly backend: StoreBackend;
  /** Where the data is, without any password: for logs and messages. */
  readonly description: string;
  /** The schema version the database is at after opening. */
  readonly schemaVersion: number;
  readonly subscribers: SubscriberStore;
  readonly locations: LocationStore;
  /** Idempotent. Operations afterwards reject with StoreError. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** SQLite: create the database file when it does not exist (its directory must). Default true. */
  readonly create?: boolean;
  /**
   * SQLite: how long a write waits for another connection's lock (another process: the CLI, a second
   * server). The wait blocks the event loop, so keep it short. Default 1000 ms.
   */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL: bounds connecting, waiting for a pooled connection, and each query. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** PostgreSQL: most connections the pool opens. Default 10. */
  readonly maxConnections?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_CONNECTIONS = 10;
