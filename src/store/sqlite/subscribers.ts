/** SubscriberStore on SQLite, with its statements prepared once. */
import type Database from 'better-sqlite3';
import type { CredentialStore } from '../../credentials/store.js';
import { DuplicateSubscriberError } from '../errors.js';
import { credentialView } from '../subscribers/credential-view.js';
import { normalizeDomain, normalizeUsername } from '../subscribers/names.js';
import { decodeSubscriberRow } from '../subscribers/row.js';
import { subscriberSql } from '../subscribers/sql.js';
import type { PasswordOptions, Subscriber, SubscriberStore } from '../subscribers/subscriber-store.js';
import { subscriberWrite, writtenSubscriber } from '../subscribers/write.js';
import { tableNamer } from '../tables.js';
import { isSqliteUniqueViolation, type SqliteConnection } from './connection.js';

type Row = Record<string, unknown>;

export class SqliteSubscriberStore implements SubscriberStore {
  readonly credentials: CredentialStore = credentialView((username, domain) => this.get(username, domain));
  readonly #connection: SqliteConnection;
  readonly #insert: Database.Statement;
  readonly #update: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #get: Database.Statement<unknown[], Row>;
  readonly #listAll: Database.Statement<unknown[], Row>;
  readonly #listDomain: Database.Statement<unknown[], Row>;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    const sql = subscriberSql(tableNamer('sqlite'), () => '?');
    const db = connection.db;
    this.#insert = db.prepare(sql.insert);
    this.#update = db.prepare(sql.update);
    this.#remove = db.prepare(sql.remove);
    this.#get = db.prepare(sql.get);
    this.#listAll = db.prepare(sql.listAll);
    this.#listDomain = db.prepare(sql.listDomain);
  }

  add(username: string, domain: string, password: string, options?: PasswordOptions): Promise<Subscriber> {
    return this.#connection.run(() => {
      const write = subscriberWrite(username, domain, password, options);
      const { ha1, ha1b, ha1Sha256 } = write.hashes;
      try {
        this.#insert.run(write.username, write.domain, write.password, ha1, ha1b, ha1Sha256);
      } catch (error) {
        if (isSqliteUniqueViolation(error)) throw new DuplicateSubscriberError(write.username, write.domain);
        throw error;
      }
      return writtenSubscriber(write);
    });
  }

  setPassword(
    username: string,
    domain: string,
    password: string,
    options?: PasswordOptions,
  ): Promise<boolean> {
    return this.#connection.run(() => {
      const write = subscriberWrite(username, domain, password, options);
      const { ha1, ha1b, ha1Sha256 } = write.hashes;
      return this.#update.run(write.password, ha1, ha1b, ha1Sha256, write.username, write.domain).changes > 0;
    });
  }

  remove(username: string, domain: string): Promise<boolean> {
    return this.#connection.run(
      () => this.#remove.run(normalizeUsername(username), normalizeDomain(domain)).changes > 0,
    );
  }

  list(domain?: string): Promise<Subscriber[]> {
    return this.#connection.run(() => {
      const rows = domain === undefined ? this.#listAll.all() : this.#listDomain.all(normalizeDomain(domain));
      return rows.map(decodeSubscriberRow);
    });
  }

  get(username: string, domain: string): Promise<Subscriber | undefined> {
    return this.#connection.run(() => {
      const row = this.#get.get(normalizeUsername(username), normalizeDomain(domain));
      return row === undefined ? undefined : decodeSubscriberRow(row);
    });
  }
}
