/**
 * StorageAccountStore: the account and its last login in the reference's chat_accounts (sylk spec §3.11),
 * so that accounts either server created are seen by both; the API token as its SHA-256 only, in
 * missive_storage_account (by account) and missive_storage_account_token (by hash, for accountForToken).
 * chat_accounts.api_token, the reference's token in clear, is never written. Token rows carry a TTL of the
 * token's lifetime, so expired tokens go by themselves; the exact expiry (to the millisecond) is checked on
 * read, with the caller's clock.
 */
import { checkName, checkTime } from '../checks.js';
import { StoreError } from '../errors.js';
import {
  checkApiToken,
  checkTokenWrite,
  hashApiToken,
  sameTokenHash,
} from '../storage-accounts/api-token.js';
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  type StorageAccount,
  type StorageAccountStore,
} from '../storage-accounts/storage-account-store.js';
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession, CqlRow } from './session.js';

interface AccountToken {
  readonly hash: string;
  readonly expiresAt: number;
}

export class CassandraStorageAccountStore implements StorageAccountStore {
  readonly #session: CassandraSession;
  readonly #cql: ReturnType<typeof statements>;

  constructor(session: CassandraSession, keyspace: string) {
    this.#session = session;
    const t = (name: string): string => `${keyspace}.${name}`;
    this.#cql = statements(
      t(CASSANDRA_TABLES.accounts),
      t(CASSANDRA_TABLES.accountTokens),
      t(CASSANDRA_TABLES.tokenOwners),
    );
  }

  async touch(account: string, now: number): Promise<void> {
    checkName('account', account);
    checkTime('now', now);
    await this.#session.run(this.#cql.touch, [account, new Date(now)]);
  }

  async get(account: string): Promise<StorageAccount | undefined> {
    checkName('account', account);
    const [row, token] = await Promise.all([
      this.#session.rows(this.#cql.get, [account]).then((rows) => rows[0]),
      this.#tokenOf(account),
    ]);
    if (row === undefined) return undefined;
    return {
      account,
      lastLogin: time(row, 'last_login'),
      ...(token === undefined ? {} : { tokenExpiresAt: token.expiresAt }),
    };
  }

  async remove(account: string): Promise<boolean> {
    checkName('account', account);
    await this.removeToken(account);
    return this.#session.run(this.#cql.remove, [account]);
  }

  async setToken(
    account: string,
    token: string,
    now: number,
    lifetimeMs: number = DEFAULT_TOKEN_LIFETIME_MS,
  ): Promise<void> {
    checkTokenWrite(account, token, now, lifetimeMs);
    const hash = hashApiToken(token);
    const expires = new Date(now + lifetimeMs);
    // The TTL outlasts the lifetime by up to a second (whole seconds); the read checks the exact expiry.
    const ttl = Math.ceil(lifetimeMs / 1000);
    const previous = await this.#tokenOf(account);
    // Creates the account with this login time only when it does not exist.
    await this.#session.run(this.#cql.create, [account, new Date(now)]);
    await this.#session.batch([
      ...(previous === undefined || previous.hash === hash
        ? []
        : [{ cql: this.#cql.removeOwner, params: [previous.hash] }]),
      { cql: this.#cql.setToken, params: [account, hash, expires, ttl] },
      { cql: this.#cql.setOwner, params: [hash, account, expires, ttl] },
    ]);
  }

  async removeToken(account: string): Promise<boolean> {
    checkName('account', account);
    const previous = await this.#tokenOf(account);
    if (previous === undefined) return false;
    await this.#session.batch([
      { cql: this.#cql.removeOwner, params: [previous.hash] },
      { cql: this.#cql.removeToken, params: [account] },
    ]);
    return true;
  }

  async accountForToken(token: string, now: number): Promise<string | undefined> {
    checkApiToken(token);
    checkTime('now', now);
    const hash = hashApiToken(token);
    const row = (await this.#session.rows(this.#cql.owner, [hash]))[0];
    if (row === undefined) return undefined;
    const stored: unknown = row.get('token_hash');
    const owner: unknown = row.get('account');
    if (typeof stored !== 'string' || typeof owner !== 'string') return undefined;
    if (!sameTokenHash(stored, hash) || time(row, 'token_expires_at') <= now) return undefined;
    return owner;
  }

  async verifyToken(account: string, token: string, now: number): Promise<boolean> {
    checkName('account', account);
    checkTime('now', now);
    // A malformed token is simply wrong: the check answers, it does not throw.
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return false;
    // Hashed first, so that an account without a token answers no faster than one with a wrong token.
    const computed = hashApiToken(token);
    const stored = await this.#tokenOf(account);
    if (stored === undefined) return false;
    // Expiry is checked after the comparison, so that timing tells nothing about the token.
    const same = sameTokenHash(stored.hash, computed);
    return same && stored.expiresAt > now;
  }

  async #tokenOf(account: string): Promise<AccountToken | undefined> {
    const row = (await this.#session.rows(this.#cql.tokenOf, [account]))[0];
    const hash: unknown = row?.get('token_hash');
    if (row === undefined || typeof hash !== 'string') return undefined;
    return { hash, expiresAt: time(row, 'token_expires_at') };
  }
}

function statements(accounts: string, tokens: string, owners: string) {
  return {
    touch: `INSERT INTO ${accounts} (account, last_login) VALUES (?, ?)`,
    create: `INSERT INTO ${accounts} (account, last_login) VALUES (?, ?) IF NOT EXISTS`,
    get: `SELECT last_login FROM ${accounts} WHERE account = ?`,
    remove: `DELETE FROM ${accounts} WHERE account = ? IF EXISTS`,
    tokenOf: `SELECT token_hash, token_expires_at FROM ${tokens} WHERE account = ?`,
    setToken: `INSERT INTO ${tokens} (account, token_hash, token_expires_at) VALUES (?, ?, ?) USING TTL ?`,
    removeToken: `DELETE FROM ${tokens} WHERE account = ?`,
    owner: `SELECT token_hash, account, token_expires_at FROM ${owners} WHERE token_hash = ?`,
    setOwner: `INSERT INTO ${owners} (token_hash, account, token_expires_at) VALUES (?, ?, ?) USING TTL ?`,
    removeOwner: `DELETE FROM ${owners} WHERE token_hash = ?`,
  };
}

function time(row: CqlRow, column: string): number {
  const value: unknown = row.get(column);
  if (!(value instanceof Date)) throw new StoreError(`a storage account row has no readable ${column}`);
  return value.getTime();
}
