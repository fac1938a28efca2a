/** PublicKeyStore on any SQL backend (see sql-runner.ts). */
import { checkName, checkText, checkTime } from '../checks.js';
import { InvalidInputError, StoreError } from '../errors.js';
import type { SqlRunner } from '../sql-runner.js';
import { PUBLIC_KEY_TABLE, type TableNamer } from '../tables.js';
import type { PublicKey, PublicKeyStore } from './public-key-store.js';

/** Armored keys with many subkeys and signatures run to tens of kilobytes; this leaves room. */
export const MAX_PUBLIC_KEY = 1024 * 1024;

export class SqlPublicKeyStore implements PublicKeyStore {
  readonly #db: SqlRunner;
  readonly #sql: { get: string; set: string; remove: string };

  constructor(db: SqlRunner, table: TableNamer) {
    this.#db = db;
    const t = table(PUBLIC_KEY_TABLE);
    const p = db.placeholder;
    this.#sql = {
      get: `SELECT account, public_key, updated_at FROM ${t} WHERE account = ${p(1)}`,
      set:
        `INSERT INTO ${t} (account, public_key, updated_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}) ` +
        'ON CONFLICT (account) DO UPDATE SET public_key = excluded.public_key, updated_at = excluded.updated_at',
      remove: `DELETE FROM ${t} WHERE account = ${p(1)}`,
    };
  }

  async get(account: string): Promise<PublicKey | undefined> {
    checkName('account', account);
    const row = (await this.#db.rows(this.#sql.get, [account]))[0];
    if (row === undefined) return undefined;
    const updatedAt = Number(row[2]);
    if (typeof row[1] !== 'string' || !Number.isSafeInteger(updatedAt)) {
      throw new StoreError('a public key row is unreadable');
    }
    return { account: String(row[0]), key: row[1], updatedAt };
  }

  async set(account: string, key: string, now: number): Promise<void> {
    checkName('account', account);
    checkText('key', key, MAX_PUBLIC_KEY);
    if (key.trim() === '') throw new InvalidInputError('key', 'is empty');
    checkTime('now', now);
    await this.#db.run(this.#sql.set, [account, key, now]);
  }

  async remove(account: string): Promise<boolean> {
    checkName('account', account);
    return (await this.#db.run(this.#sql.remove, [account])) > 0;
  }
}
