/**
 * AddressBookStore on Cassandra: a table of missive's own (the reference keeps address books in files or an
 * XCAP server, never in Cassandra). Compare and set with lightweight transactions on the account's row.
 */
import type { AddressBookStore, StoredAddressBook } from '../address-books/address-book-store.js';
import { checkAddressBookWrite } from '../address-books/checks.js';
import { checkName } from '../checks.js';
import { StoreError } from '../errors.js';
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession } from './session.js';

export class CassandraAddressBookStore implements AddressBookStore {
  readonly #session: CassandraSession;
  readonly #cql: { get: string; insert: string; update: string; remove: string };

  constructor(session: CassandraSession, keyspace: string) {
    this.#session = session;
    const t = `${keyspace}.${CASSANDRA_TABLES.addressBooks}`;
    this.#cql = {
      get: `SELECT document, version, updated_at FROM ${t} WHERE account = ?`,
      insert: `INSERT INTO ${t} (account, document, version, updated_at) VALUES (?, ?, 1, ?) IF NOT EXISTS`,
      update: `UPDATE ${t} SET document = ?, version = ?, updated_at = ? WHERE account = ? IF version = ?`,
      remove: `DELETE FROM ${t} WHERE account = ? IF EXISTS`,
    };
  }

  async get(account: string): Promise<StoredAddressBook | undefined> {
    checkName('account', account);
    const row = (await this.#session.rows(this.#cql.get, [account]))[0];
    if (row === undefined) return undefined;
    const document: unknown = row.get('document');
    const version = Number(row.get('version'));
    const updated: unknown = row.get('updated_at');
    if (typeof document !== 'string' || !Number.isSafeInteger(version) || !(updated instanceof Date)) {
      throw new StoreError('an address book row is unreadable');
    }
    return { account, document, version, updatedAt: updated.getTime() };
  }

  async put(account: string, document: string, expectedVersion: number, now: number): Promise<boolean> {
    checkAddressBookWrite(account, document, expectedVersion, now);
    return expectedVersion === 0
      ? this.#session.run(this.#cql.insert, [account, document, new Date(now)])
      : this.#session.run(this.#cql.update, [
          document,
          expectedVersion + 1,
          new Date(now),
          account,
          expectedVersion,
        ]);
  }

  async remove(account: string): Promise<boolean> {
    checkName('account', account);
    return this.#session.run(this.#cql.remove, [account]);
  }
}
