/**
 * msrprelay's `database` backend: subscriber credentials in an SQL table (OpenSIPS/Kamailio `subscriber`
 * by default) of MySQL/MariaDB, PostgreSQL or SQLite. Unlike msrprelay (SQLObject), only the columns the
 * mode needs are selected, so the table needs no `id` and not both the password and the ha1 columns.
 */
import { type CredentialStore, CredentialStoreError, type StoredCredential } from '../store.js';
import type { DriverOptions, SqlDriver } from './driver.js';
import { openSqlDriver } from './open-driver.js';
import {
  buildLookupQuery,
  type CredentialTable,
  DEFAULT_CREDENTIAL_TABLE,
  type LookupQuery,
} from './query.js';
import type { DatabaseConnection, SqlDialect } from '../../sql/uri.js';

export const DEFAULT_LOOKUP_TIMEOUT_MS = 5000;

export interface SqlCredentialStoreOptions extends Partial<CredentialTable> {
  /** A lookup that has not finished by then rejects with CredentialStoreError. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export interface OpenSqlCredentialStoreOptions extends SqlCredentialStoreOptions {
  readonly connection: DatabaseConnection;
  /** Most connections a MySQL or PostgreSQL pool opens; default 4. */
  readonly maxConnections?: number;
}

export class SqlCredentialStore implements CredentialStore {
  readonly #driver: SqlDriver;
  readonly #query: LookupQuery;
  readonly #timeoutMs: number;
  #closed: Promise<void> | undefined;

  /**
   * Checks the table and column names (throws SqlIdentifierError) and builds the lookup query. The
   * store owns the driver from then on: close() closes it.
   */
  constructor(driver: SqlDriver, dialect: SqlDialect, options: SqlCredentialStoreOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs)))
      throw new RangeError(`bad lookup timeout ${timeoutMs}`);
    this.#query = buildLookupQuery(dialect, tableOptions(options));
    this.#driver = driver;
    this.#timeoutMs = timeoutMs;
  }

  /** The lookup's SQL, for logs and tests. */
  get sql(): string {
    return this.#query.sql;
  }

  lookup(username: string, domain: string): Promise<StoredCredential | undefined> {
    if (this.#closed !== undefined)
      return Promise.reject(new CredentialStoreError('the credential store is closed'));
    return this.#run(username, domain);
  }

  /**
   * Runs the lookup query once (for an empty username and domain), discarding the answer: rejects with
   * CredentialStoreError when the database cannot be reached or the table or a column is missing. For a
   * check at startup.
   */
  async verify(): Promise<void> {
    await this.lookup('', '');
  }

  close(): Promise<void> {
    this.#closed ??= this.#driver.close();
    return this.#closed;
  }

  async #run(username: string, domain: string): Promise<StoredCredential | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new CredentialStoreError(`database lookup timed out after ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
    });
    const query = this.#driver.query(this.#query.sql, [username, domain]);
    try {
      const rows = await Promise.race([query, deadline]);
      const row = rows[0];
      return row === undefined ? undefined : this.#query.decode(row);
    } catch (error) {
      if (error instanceof CredentialStoreError) throw error;
      throw new CredentialStoreError('database lookup failed', { cause: error });
    } finally {
      clearTimeout(timer);
      query.catch(() => undefined); // a query that lost the race settles later, unobserved
    }
  }
}

/**
 * Checks the names, then loads the dialect's driver and creates its pool; the first lookup connects
 * (use verify() to connect at startup). Throws SqlIdentifierError for a bad name, before any connection.
 */
export async function openSqlCredentialStore(
  options: OpenSqlCredentialStoreOptions,
): Promise<SqlCredentialStore> {
  const { connection } = options;
  buildLookupQuery(connection.dialect, tableOptions(options)); // fail on a bad name before opening anything
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const driverOptions: DriverOptions =
    options.maxConnections === undefined
      ? { timeoutMs }
      : { timeoutMs, maxConnections: options.maxConnections };
  const driver = await openSqlDriver(connection, driverOptions);
  try {
    return new SqlCredentialStore(driver, connection.dialect, options);
  } catch (error) {
    await driver.close();
    throw error;
  }
}

function tableOptions(options: Partial<CredentialTable>): CredentialTable {
  const defaults = DEFAULT_CREDENTIAL_TABLE;
  return {
    cleartextPasswords: options.cleartextPasswords ?? defaults.cleartextPasswords,
    table: options.table ?? defaults.table,
    usernameColumn: options.usernameColumn ?? defaults.usernameColumn,
    domainColumn: options.domainColumn ?? defaults.domainColumn,
    passwordColumn: options.passwordColumn ?? defaults.passwordColumn,
    ha1Column: options.ha1Column ?? defaults.ha1Column,
    ha1Sha256Column: options.ha1Sha256Column ?? defaults.ha1Sha256Column,
  };
}
