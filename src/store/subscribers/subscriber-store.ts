/**
 * SIP subscribers (credentials) in a Kamailio/OpenSIPS-style `subscriber` table, which Kamailio's auth_db,
 * msrprelay's `[Database]` backend and missive's relay (src/credentials/sql) read as they are.
 */
import type { CredentialStore } from '../../credentials/store.js';
import type { SubscriberHashes } from './hashes.js';

export interface Subscriber extends SubscriberHashes {
  readonly username: string;
  /** Lower case. */
  readonly domain: string;
  /** Whether the password is also stored in clear (only when asked: see PasswordOptions). */
  readonly hasCleartextPassword: boolean;
}

export interface PasswordOptions {
  /**
   * Also store the password in clear, for a reader that only knows cleartext (msrprelay with
   * `cleartext_passwords = yes`, Kamailio with `calculate_ha1 = yes`). Default false: only the hashes.
   */
  readonly storeCleartext?: boolean;
}

/**
 * Usernames and domains are checked and the domain lower-cased first (InvalidInputError); every other failure
 * is a StoreError. Unique by (username, domain).
 */
export interface SubscriberStore {
  /** Rejects with DuplicateSubscriberError when the subscriber exists. */
  add(username: string, domain: string, password: string, options?: PasswordOptions): Promise<Subscriber>;
  /** false when there is no such subscriber. Drops a stored cleartext password unless storeCleartext. */
  setPassword(
    username: string,
    domain: string,
    password: string,
    options?: PasswordOptions,
  ): Promise<boolean>;
  /** false when there was no such subscriber. */
  remove(username: string, domain: string): Promise<boolean>;
  /** Ordered by domain, then username; only `domain`'s when given. */
  list(domain?: string): Promise<Subscriber[]>;
  get(username: string, domain: string): Promise<Subscriber | undefined>;
  /** The subscribers as digest credentials (HA1s), for SIP and MSRP authentication. */
  readonly credentials: CredentialStore;
}
