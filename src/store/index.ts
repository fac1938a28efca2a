/** missive's storage: open a Store from a URI, then use its subscribers, locations, journal… */
export {
  DuplicateSubscriberError,
  InvalidInputError,
  SchemaVersionError,
  StoreError,
  StoreUriError,
} from './errors.js';
export {
  type Binding,
  type BindingKey,
  type BindingSource,
  bindingKey,
  type PushParameters,
  TRANSPORTS,
  type TransportName,
} from './location/binding.js';
export { decodeCursor, encodeCursor, JOURNAL_START } from './journal/cursor.js';
export {
  DEFAULT_RETENTION_MS,
  type JournalStore,
  MAX_BATCH,
  MAX_PAGE_SIZE,
  retentionCutoff,
} from './journal/journal-store.js';
export { canMoveTo, countsAsUnread } from './journal/state.js';
export {
  type AppendItem,
  type AppendOutcome,
  type AppendResult,
  type ConversationResult,
  DELIVERY_STATES,
  type DeliveryState,
  DIRECTIONS,
  type Direction,
  ENTRY_STATES,
  type EntryState,
  type HistoryPage,
  type HistoryQuery,
  type JournalEntry,
  type JournalPage,
  type JournalUsage,
  type NewEntry,
  type OperationOptions,
  type ReadBounds,
  type RemoveMessageOptions,
  type RemoveMessageResult,
  type UnreadCounts,
  type UpdateResult,
} from './journal/types.js';
export type { LocationStore, UpsertOutcome } from './location/location-store.js';
export { openStore } from './open.js';
export type { PublicKey, PublicKeyStore } from './public-keys/public-key-store.js';
export type { AddressBookStore, StoredAddressBook } from './address-books/address-book-store.js';
export type { PushToken, PushTokenStore } from './push-tokens/push-token-store.js';
export { generateApiToken, hashApiToken } from './storage-accounts/api-token.js';
export {
  DEFAULT_TOKEN_LIFETIME_MS,
  type StorageAccount,
  type StorageAccountStore,
} from './storage-accounts/storage-account-store.js';
export type { OpenStoreOptions, Store, StoreBackend } from './store.js';
export { type SubscriberHashes, subscriberHashes } from './subscribers/hashes.js';
export { type Account, normalizeDomain, normalizeUsername, parseAccount } from './subscribers/names.js';
export type { PasswordOptions, Subscriber, SubscriberStore } from './subscribers/subscriber-store.js';
export { parseStoreUri, type StoreLocation } from './uri.js';
