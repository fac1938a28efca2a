/** missive's storage: open a Store from a URI, then use its subscribers and locations. */
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
  type Transport,
} from './location/binding.js';
export type { LocationStore, UpsertOutcome } from './location/location-store.js';
export { openStore } from './open.js';
export type { OpenStoreOptions, Store, StoreBackend } from './store.js';
export { type SubscriberHashes, subscriberHashes } from './subscribers/hashes.js';
export { type Account, normalizeDomain, normalizeUsername, parseAccount } from './subscribers/names.js';
export type { PasswordOptions, Subscriber, SubscriberStore } from './subscribers/subscriber-store.js';
export { parseStoreUri, type StoreLocation } from './uri.js';
