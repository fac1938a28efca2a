/** AddressBookStore on any SQL backend (see sql-runner.ts). */
import { checkName } from '../checks.js';
import { StoreError } from '../errors.js';
import type { SqlRunner } from '../sql-runner.js';
import { ADDRESS_BOOK_TABLE, type TableNamer } from '../tables.js';
import type { AddressBookStore, StoredAddressBook } from './address-book-store.js';
import { checkAddressBookWrite } from './checks.js';

export class SqlAddressBookStore implements AddressBookStore {
  readonly #db: SqlRunner;
  readonly #sql: { get: string; insert: string; update: string; remove: string };

  constructor(db: SqlRunner, table: TableNamer) {
    this.#db = db;
    const t = table(ADDRESS_BOOK_TABLE);
    const p = db.placeholder;
    this.#sql = {
      get: `SELECT document, version, updated_at FROM ${t} WHERE account = ${p(1)}`,
      insert:
        `INSERT INTO ${t} (account, document, version, updated_at) VALUES (${p(1)}, ${p(2)}, 1, ${p(3)}) ` +
        'ON CONFLICT (account) DO NOTHING',
      update:
        `UPDATE ${t} SET document = ${p(1)}, version = version + 1, updated_at = ${p(2)} ` +
        `WHERE account = ${p(3)} AND version = ${p(4)}`,
      remove: `DELETE FROM ${t} WHERE account = ${p(1)}`,
    };
  }

  async get(account: string): Promise<StoredAddressBook | undefined> {
    checkName('account', account);
    const row = (await this.#db.rows(this.#sql.get, [account]))[0];
    if (row === undefined) return undefined;
    const version = Number(row[1]);
    const updatedAt = Number(row[2]);
    if (typeof row[0] !== 'string' || !Number.isSafeInteger(version) || !Number.isSafeInteger(updatedAt)) {
      throw new StoreError('an address book row is unreadable');
    }
    return { account, document: row[0], version, updatedAt };
  }

  async put(account: string, document: string, expectedVersion: number, now: number): Promise<boolean> {
    checkAddressBookWrite(account, document, expectedVersion, now);
    const changed =
      expectedVersion === 0
        ? await this.#db.run(this.#sql.insert, [account, document, now])
        : await this.#db.run(this.#sql.update, [document, now, account, expectedVersion]);
    return changed > 0;
  }

  async remove(account: string): Promise<boolean> {
    checkName('account', account);
    return (await this.#db.run(this.#sql.remove, [account])) > 0;
  }
}
