/** PublicKeyStore on the reference's public_key_by_account (sylk spec §3.11): one key per account. */
import { checkName, checkText, checkTime } from '../checks.js';
import { InvalidInputError, StoreError } from '../errors.js';
import type { PublicKey, PublicKeyStore } from '../public-keys/public-key-store.js';
import { MAX_PUBLIC_KEY } from '../public-keys/sql-public-keys.js';
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession } from './session.js';

export class CassandraPublicKeyStore implements PublicKeyStore {
  readonly #session: CassandraSession;
  readonly #cql: { get: string; set: string; remove: string };

  constructor(session: CassandraSession, keyspace: string) {
    this.#session = session;
    const t = `${keyspace}.${CASSANDRA_TABLES.publicKeys}`;
    this.#cql = {
      get: `SELECT account, public_key, created_at FROM ${t} WHERE account = ?`,
      set: `INSERT INTO ${t} (account, public_key, created_at) VALUES (?, ?, ?)`,
      // A lightweight transaction, to say whether there was a key.
      remove: `DELETE FROM ${t} WHERE account = ? IF EXISTS`,
    };
  }

  async get(account: string): Promise<PublicKey | undefined> {
    checkName('account', account);
    const row = (await this.#session.rows(this.#cql.get, [account]))[0];
    if (row === undefined) return undefined;
    const key: unknown = row.get('public_key');
    const created: unknown = row.get('created_at');
    if (typeof key !== 'string' || !(created instanceof Date)) {
      throw new StoreError('a public key row is unreadable');
    }
    return { account, key, updatedAt: created.getTime() };
  }

  async set(account: string, key: string, now: number): Promise<void> {
    checkName('account', account);
    checkText('key', key, MAX_PUBLIC_KEY);
    if (key.trim() === '') throw new InvalidInputError('key', 'is empty');
    checkTime('now', now);
    await this.#session.run(this.#cql.set, [account, key, new Date(now)]);
  }

  async remove(account: string): Promise<boolean> {
    checkName('account', account);
    return this.#session.run(this.#cql.remove, [account]);
  }
}
