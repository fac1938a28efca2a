/** SubscriberStore on PostgreSQL. */
import type { CredentialStore } from '../../credentials/store.js';
import { DuplicateSubscriberError } from '../errors.js';
import { credentialView } from '../subscribers/credential-view.js';
import { normalizeDomain, normalizeUsername } from '../subscribers/names.js';
import { decodeSubscriberRow } from '../subscribers/row.js';
import { type SubscriberSql, subscriberSql } from '../subscribers/sql.js';
import type { PasswordOptions, Subscriber, SubscriberStore } from '../subscribers/subscriber-store.js';
import { subscriberWrite, writtenSubscriber } from '../subscribers/write.js';
import type { TableNamer } from '../tables.js';
import { isPostgresUniqueViolation, type PostgresPool } from './pool.js';

export class PostgresSubscriberStore implements SubscriberStore {
  readonly credentials: CredentialStore = credentialView((username, domain) => this.get(username, domain));
  readonly #pool: PostgresPool;
  readonly #sql: SubscriberSql;

  constructor(pool: PostgresPool, table: TableNamer) {
    this.#pool = pool;
    this.#sql = subscriberSql(table, (n) => `$${n}`);
  }

  async add(
    username: string,
    domain: string,
    password: string,
    options?: PasswordOptions,
  ): Promise<Subscriber> {
    const write = subscriberWrite(username, domain, password, options);
    const { ha1, ha1b, ha1Sha256 } = write.hashes;
    try {
      await this.#pool.query(this.#sql.insert, [
        write.username,
        write.domain,
        write.password,
        ha1,
        ha1b,
        ha1Sha256,
      ]);
    } catch (error) {
      if (isPostgresUniqueViolation(error)) throw new DuplicateSubscriberError(write.username, write.domain);
      throw error;
    }
    return writtenSubscriber(write);
  }

  async setPassword(
    username: string,
    domain: string,
    password: string,
    options?: PasswordOptions,
  ): Promise<boolean> {
    const write = subscriberWrite(username, domain, password, options);
    const { ha1, ha1b, ha1Sha256 } = write.hashes;
    const result = await this.#pool.query(this.#sql.update, [
      write.password,
      ha1,
      ha1b,
      ha1Sha256,
      write.username,
      write.domain,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async remove(username: string, domain: string): Promise<boolean> {
    const result = await this.#pool.query(this.#sql.remove, [
      normalizeUsername(username),
      normalizeDomain(domain),
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async list(domain?: string): Promise<Subscriber[]> {
    const result =
      domain === undefined
        ? await this.#pool.query(this.#sql.listAll)
        : await this.#pool.query(this.#sql.listDomain, [normalizeDomain(domain)]);
    return result.rows.map(decodeSubscriberRow);
  }

  async get(username: string, domain: string): Promise<Subscriber | undefined> {
    const result = await this.#pool.query(
      this.#sql.get,
      [normalizeUsername(username), normalizeDomain(domain)],
      'missive_subscriber_get',
    );
    const row = result.rows[0];
    return row === undefined ? undefined : decodeSubscriberRow(row);
  }
}
