/** StorageAccountStore on any SQL backend (see sql-runner.ts). */
import { checkName, checkTime } from '../checks.js';
import { StoreError } from '../errors.js';
import type { SqlRunner } from '../sql-runner.js';
import { STORAGE_ACCOUNT_TABLE, type TableNamer } from '../tables.js';
import { checkApiToken, checkTokenWrite, hashApiToken, sameTokenHash } from './api-token.js';
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  type StorageAccount,
  type StorageAccountStore,
} from './storage-account-store.js';

export class SqlStorageAccountStore implements StorageAccountStore {
  readonly #db: SqlRunner;
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: SqlRunner, table: TableNamer) {
    this.#db = db;
    this.#sql = statements(table(STORAGE_ACCOUNT_TABLE), db.placeholder);
  }

  async touch(account: string, now: number): Promise<void> {
    checkName('account', account);
    checkTime('now', now);
    await this.#db.run(this.#sql.touch, [account, now]);
  }

  async get(account: string): Promise<StorageAccount | undefined> {
    checkName('account', account);
    const row = (await this.#db.rows(this.#sql.get, [account]))[0];
    if (row === undefined) return undefined;
    const expires = row[2] === null ? undefined : integer(row[2]);
    return {
      account: String(row[0]),
      lastLogin: integer(row[1]),
      ...(expires === undefined ? {} : { tokenExpiresAt: expires }),
    };
  }

  async remove(account: string): Promise<boolean> {
    checkName('account', account);
    return (await this.#db.run(this.#sql.remove, [account])) > 0;
  }

  async setToken(
    account: string,
    token: string,
    now: number,
    lifetimeMs: number = DEFAULT_TOKEN_LIFETIME_MS,
  ): Promise<void> {
    checkTokenWrite(account, token, now, lifetimeMs);
    await this.#db.run(this.#sql.setToken, [account, now, hashApiToken(token), now + lifetimeMs]);
  }

  async removeToken(account: string): Promise<boolean> {
    checkName('account', account);
    return (await this.#db.run(this.#sql.removeToken, [account])) > 0;
  }

  async accountForToken(token: string, now: number): Promise<string | undefined> {
    checkApiToken(token);
    checkTime('now', now);
    const hash = hashApiToken(token);
    const row = (await this.#db.rows(this.#sql.byToken, [hash]))[0];
    if (row === undefined || !sameTokenHash(String(row[1]), hash) || integer(row[2]) <= now) return undefined;
    return String(row[0]);
  }

  async verifyToken(account: string, token: string, now: number): Promise<boolean> {
    checkName('account', account);
    checkTime('now', now);
    // A malformed token is simply wrong: the check answers, it does not throw.
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return false;
    // Hashed first, so that an account without a token answers no faster than one with a wrong token.
    const computed = hashApiToken(token);
    const row = (await this.#db.rows(this.#sql.tokenOf, [account]))[0];
    const stored = row?.[0];
    if (row === undefined || typeof stored !== 'string' || row[1] === null) return false;
    // Expiry is checked after the comparison, so that timing tells nothing about the token.
    const same = sameTokenHash(stored, computed);
    return same && integer(row[1]) > now;
  }
}

function statements(t: string, p: (n: number) => string) {
  return {
    touch:
      `INSERT INTO ${t} (account, last_login) VALUES (${p(1)}, ${p(2)}) ` +
      'ON CONFLICT (account) DO UPDATE SET last_login = excluded.last_login',
    get: `SELECT account, last_login, token_expires_at FROM ${t} WHERE account = ${p(1)}`,
    remove: `DELETE FROM ${t} WHERE account = ${p(1)}`,
    setToken:
      `INSERT INTO ${t} (account, last_login, token_hash, token_expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}) ` +
      'ON CONFLICT (account) DO UPDATE SET token_hash = excluded.token_hash, token_expires_at = excluded.token_expires_at',
    removeToken: `UPDATE ${t} SET token_hash = NULL, token_expires_at = NULL WHERE account = ${p(1)} AND token_hash IS NOT NULL`,
    byToken: `SELECT account, token_hash, token_expires_at FROM ${t} WHERE token_hash = ${p(1)}`,
    tokenOf: `SELECT token_hash, token_expires_at FROM ${t} WHERE account = ${p(1)}`,
  };
}

function integer(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n))
    throw new StoreError(`a storage account row has an unreadable time: ${String(value)}`);
  return n;
}
