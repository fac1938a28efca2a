/**
 * Storage accounts (sylk spec §3.1, §3.8): an account's existence means "message storage is enabled for this
 * AOR", and it holds the one API token of the HTTP history. Times are the caller's, UTC milliseconds.
 */

/** 31 days (the reference's Cassandra TTL; its file backend's 310 days is probably a typo, sylk spec §3.8). */
export const DEFAULT_TOKEN_LIFETIME_MS = 2_678_400 * 1000;

export interface StorageAccount {
  readonly account: string;
  readonly lastLogin: number;
  /** When the API token stops being accepted; absent when the account has no token. */
  readonly tokenExpiresAt?: number;
}

export interface StorageAccountStore {
  /** Creates the account, or sets its last login (add_account, on every registration and token request). */
  touch(account: string, now: number): Promise<void>;
  get(account: string): Promise<StorageAccount | undefined>;
  /** Deletes the account and its token (not its journal, key or push tokens); false when there was none. */
  remove(account: string): Promise<boolean>;
  /**
   * Replaces the account's API token (creating the account when needed). Only the token's SHA-256 is
   * stored. See generateApiToken().
   */
  setToken(account: string, token: string, now: number, lifetimeMs?: number): Promise<void>;
  /** false when the account had no token. */
  removeToken(account: string): Promise<boolean>;
  /** The account this token belongs to, or undefined when no account has it or it has expired. */
  accountForToken(token: string, now: number): Promise<string | undefined>;
  /** Whether `token` is the account's live token (the history endpoint's check), compared in constant time. */
  verifyToken(account: string, token: string, now: number): Promise<boolean>;
}
