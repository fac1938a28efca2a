/**
 * SubscriberStore on Cassandra: missive's own table (the reference keeps subscribers in its SIP server's SQL
 * database, never in its keyspace), with the Kamailio subscriber table's column names so that the rows read
 * the same everywhere. One partition per subscriber: the registrar's digest lookup is one partition read,
 * and no domain grows into one huge partition. Listing scans the table; it is an administrator's command.
 * Every write that must know what was there (add, setPassword, remove) is a lightweight transaction, so
 * that two racing adds cannot both succeed.
 */
import type { CredentialStore } from '../../credentials/store.js';
import { DuplicateSubscriberError } from '../errors.js';
import { credentialView } from '../subscribers/credential-view.js';
import { normalizeDomain, normalizeUsername } from '../subscribers/names.js';
import { decodeSubscriberRow } from '../subscribers/row.js';
import type { PasswordOptions, Subscriber, SubscriberStore } from '../subscribers/subscriber-store.js';
import { subscriberWrite, writtenSubscriber } from '../subscribers/write.js';
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession, CqlRow } from './session.js';

const COLUMNS = 'username, domain, password, ha1, ha1b, ha1_sha256';

export class CassandraSubscriberStore implements SubscriberStore {
  readonly credentials: CredentialStore = credentialView((username, domain) => this.get(username, domain));
  readonly #session: CassandraSession;
  readonly #cql: { insert: string; update: string; remove: string; get: string; list: string };

  constructor(session: CassandraSession, keyspace: string) {
    this.#session = session;
    const t = `${keyspace}.${CASSANDRA_TABLES.subscribers}`;
    this.#cql = {
      insert: `INSERT INTO ${t} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
      update:
        `UPDATE ${t} SET password = ?, ha1 = ?, ha1b = ?, ha1_sha256 = ? ` +
        'WHERE username = ? AND domain = ? IF EXISTS',
      remove: `DELETE FROM ${t} WHERE username = ? AND domain = ? IF EXISTS`,
      get: `SELECT ${COLUMNS} FROM ${t} WHERE username = ? AND domain = ?`,
      list: `SELECT ${COLUMNS} FROM ${t}`,
    };
  }

  async add(
    username: string,
    domain: string,
    password: string,
    options?: PasswordOptions,
  ): Promise<Subscriber> {
    const write = subscriberWrite(username, domain, password, options);
    const { ha1, ha1b, ha1Sha256 } = write.hashes;
    const applied = await this.#session.run(this.#cql.insert, [
      write.username,
      write.domain,
      write.password,
      ha1,
      ha1b,
      ha1Sha256,
    ]);
    if (!applied) throw new DuplicateSubscriberError(write.username, write.domain);
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
    return this.#session.run(this.#cql.update, [
      write.password,
      ha1,
      ha1b,
      ha1Sha256,
      write.username,
      write.domain,
    ]);
  }

  async remove(username: string, domain: string): Promise<boolean> {
    return this.#session.run(this.#cql.remove, [normalizeUsername(username), normalizeDomain(domain)]);
  }

  async list(domain?: string): Promise<Subscriber[]> {
    const wanted = domain === undefined ? undefined : normalizeDomain(domain);
    const rows = await this.#session.rows(this.#cql.list);
    return rows
      .map(decode)
      .filter((subscriber) => wanted === undefined || subscriber.domain === wanted)
      .sort((a, b) => compare(a.domain, b.domain) || compare(a.username, b.username));
  }

  async get(username: string, domain: string): Promise<Subscriber | undefined> {
    const row = (
      await this.#session.rows(this.#cql.get, [normalizeUsername(username), normalizeDomain(domain)])
    )[0];
    return row === undefined ? undefined : decode(row);
  }
}

function decode(row: CqlRow): Subscriber {
  return decodeSubscriberRow({
    username: row.get('username'),
    domain: row.get('domain'),
    ha1: row.get('ha1'),
    ha1b: row.get('ha1b'),
    ha1_sha256: row.get('ha1_sha256'),
    cleartext: row.get('password') !== null,
  });
}

/** By code unit, as the SQL stores' binary collation orders the same ASCII names. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
