/** A storage backend opened from a URI: subscribers and registrations, the message journal and its companions. */
import type { ClusterStore } from './cluster/cluster-store.js';
import type { AddressBookStore } from './address-books/address-book-store.js';
import type { JournalStore } from './journal/journal-store.js';
import type { LocationStore } from './location/location-store.js';
import type { PublicKeyStore } from './public-keys/public-key-store.js';
import type { PushTokenStore } from './push-tokens/push-token-store.js';
import type { StorageAccountStore } from './storage-accounts/storage-account-store.js';
import type { SubscriberStore } from './subscribers/subscriber-store.js';
import type { Clock } from '../time/clock.js';

export type StoreBackend = 'sqlite' | 'postgres' | 'cassandra';

export interface Store {
  readonly backend: StoreBackend;
  /** Where the data is, without any password: for logs and messages. */
  readonly description: string;
  /** The schema version the database is at after opening. */
  readonly schemaVersion: number;
  readonly subscribers: SubscriberStore;
  readonly locations: LocationStore;
  /** Each account's ordered log of messages and operations, with its unread counters. */
  readonly journal: JournalStore;
  /** Accounts with message storage enabled, and their HTTP API tokens. */
  readonly storageAccounts: StorageAccountStore;
  readonly publicKeys: PublicKeyStore;
  readonly pushTokens: PushTokenStore;
  /** Each account's sylkRTC address book. */
  readonly addressBooks: AddressBookStore;
  /** Several instances on this store (docs/scaling.md); absent on a backend that cannot carry them yet. */
  readonly cluster?: ClusterStore | undefined;
  /** Idempotent. Operations afterwards reject with StoreError. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /**
   * SQLite: create the database file when it does not exist (its directory must). Cassandra: create the
   * keyspace when it does not exist. Default true.
   */
  readonly create?: boolean;
  /**
   * SQLite: how long a write waits for another connection's lock (another process: the CLI, a second
   * server). The wait blocks the event loop, so keep it short. Default 1000 ms.
   */
  readonly busyTimeoutMs?: number;
  /**
   * PostgreSQL: bounds connecting, waiting for a pooled connection, and each query. Cassandra: connecting
   * and each request. Default 5000 ms.
   */
  readonly timeoutMs?: number;
  /** PostgreSQL: most connections the pool opens. Default 10. */
  readonly maxConnections?: number;
  /**
   * SQLite and PostgreSQL: told the number of appends each committed journal transaction held (appends
   * that arrive together share one transaction, see journal/group-commit.ts).
   */
  readonly onJournalCommit?: (items: number) => void;
  /**
   * Cassandra: the clock of the cluster store's listeners (when they poll, and the present they read back
   * from, store/cassandra/notice-poller.ts). Default the system's.
   */
  readonly clock?: Clock;
  /** PostgreSQL: told each statement sent, a round trip each (the tests count a stored MESSAGE's). */
  readonly onStatement?: (text: string) => void;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_CONNECTIONS = 10;
