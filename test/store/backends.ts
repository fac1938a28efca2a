/**
 * The databases the conformance suite runs against, each behind the same small harness: fresh, isolated
 * targets (a new SQLite file; a new PostgreSQL schema), SQL through a connection of the harness's own,
 * and reads from a separate process. PostgreSQL is the server on 127.0.0.1:5432 (trust, user postgres,
 * database test; MISSIVE_TEST_POSTGRES_URI overrides); tests do not start it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { type DatabaseConnection, parseDatabaseUri, type ServerConnection } from '../../src/sql/index.js';
import type { Migration } from '../../src/store/migrations.js';
import { migratePostgres } from '../../src/store/postgres/migrations.js';
import { PostgresPool } from '../../src/store/postgres/pool.js';
import { migrateSqlite } from '../../src/store/sqlite/migrations.js';
import { runNode } from './processes.js';

export const POSTGRES_URI =
  process.env.MISSIVE_TEST_POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const ADMIN_TIMEOUT_MS = 5000;

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface StoreTarget {
  /** What openStore() takes. */
  readonly uri: string;
  /** The same database as the relay's SqlCredentialStore is configured for it, and its subscriber table. */
  readonly relayConnection: DatabaseConnection;
  readonly relayTable: string;
  /** The table that holds the subscribers, unqualified (for `table()`). */
  readonly subscriberTable: string;
  /** SQL with `?` placeholders through the harness's own connection; `table()` names a table in the target. */
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  table(name: string): string;
  tableExists(name: string): Promise<boolean>;
  /** The subscriber row's ha1 and password, read by a separate Node process with the plain driver. */
  readInOtherProcess(
    username: string,
    domain: string,
  ): Promise<{ ha1: string; password: string | null } | undefined>;
  /** Runs the backend's migration runner with another list (for tests of the runner). */
  migrate(migrations: readonly Migration[]): Promise<number>;
}

export interface ConformanceBackend {
  readonly name: string;
  fresh(): Promise<StoreTarget>;
  /**
   * The test that used `target` is over (its stores closed): the backend may drop it now. Cassandra does (in
   * the background; close() waits for it), since a node keeps every table's structures on its heap and two
   * suites' worth of keyspaces kept to the end of their files ran a test node out of memory; the SQL
   * backends keep theirs until close().
   */
  done(target: StoreTarget): Promise<void>;
  /** Drops every target. */
  close(): Promise<void>;
}

function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function otherProcess(script: string, args: readonly string[]): Promise<unknown> {
  const result = await runNode(['-e', script, ...args], { timeoutMs: 20_000 });
  if (result.code !== 0) throw new Error(`reader process failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}

type ReadBack = { ha1: string; password: string | null } | undefined;

function asReadBack(value: unknown): ReadBack {
  return value === null ? undefined : (value as ReadBack);
}

const SQLITE_READER = `
const Database = require('better-sqlite3');
const [path, username, domain] = process.argv.slice(1);
const db = new Database(path, { readonly: true, fileMustExist: true });
const row = db.prepare('SELECT ha1, password FROM subscriber WHERE username = ? AND domain = ?').get(username, domain);
process.stdout.write(JSON.stringify(row ?? null));
`;

export async function sqliteBackend(): Promise<ConformanceBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'missive-store-'));
  const admins: BetterSqlite3.Database[] = [];
  return {
    name: 'SQLite',
    fresh() {
      const path = join(dir, `${unique('store')}.db`);
      let admin: BetterSqlite3.Database | undefined;
      // Opened on first use: the store under test is the one that creates the file.
      const db = (): BetterSqlite3.Database => {
        if (admin === undefined) {
          admin = new BetterSqlite3(path, { timeout: ADMIN_TIMEOUT_MS });
          admins.push(admin);
        }
        return admin;
      };
      const target: StoreTarget = {
        uri: `sqlite://${path}`,
        relayConnection: parseDatabaseUri(`sqlite://${path}`, dir),
        relayTable: 'subscriber',
        subscriberTable: 'subscriber',
        query(sql, params = []) {
          const statement = db().prepare<SqlValue[], Row>(sql);
          return Promise.resolve(
            statement.reader ? statement.all(...params) : (statement.run(...params), []),
          );
        },
        table: (name) => `"${name}"`,
        async tableExists(name) {
          const rows = await target.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
            [name],
          );
          return rows.length > 0;
        },
        async readInOtherProcess(username, domain) {
          return asReadBack(await otherProcess(SQLITE_READER, [path, username, domain]));
        },
        async migrate(migrations) {
          await Promise.resolve(); // a throw becomes a rejection, as from the PostgreSQL runner
          return migrateSqlite(db(), migrations);
        },
      };
      return Promise.resolve(target);
    },
    done: () => Promise.resolve(),
    async close() {
      for (const admin of admins) admin.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const POSTGRES_READER = `
const pg = require('pg');
const [config, table, username, domain] = process.argv.slice(1);
(async () => {
  const client = new pg.Client({ ...JSON.parse(config), connectionTimeoutMillis: 5000, query_timeout: 5000 });
  await client.connect();
  const result = await client.query('SELECT ha1, password FROM ' + table + ' WHERE username = $1 AND domain = $2', [username, domain]);
  await client.end();
  process.stdout.write(JSON.stringify(result.rows[0] ?? null));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function clientConfig(connection: ServerConnection): pg.ClientConfig {
  return {
    host: connection.host,
    port: connection.port ?? 5432,
    user: connection.user ?? 'postgres',
    password: connection.password ?? '',
    database: connection.database,
  };
}

export async function postgresBackend(): Promise<ConformanceBackend> {
  const connection = parseDatabaseUri(POSTGRES_URI, '/nonexistent');
  if (connection.dialect !== 'postgres') throw new Error('MISSIVE_TEST_POSTGRES_URI is not a PostgreSQL URI');
  const config = clientConfig(connection);
  const admin = new pg.Client({
    ...config,
    connectionTimeoutMillis: ADMIN_TIMEOUT_MS,
    query_timeout: ADMIN_TIMEOUT_MS,
  });
  admin.on('error', () => undefined);
  await admin.connect();
  const schemas: string[] = [];
  const pools: PostgresPool[] = [];
  const separator = POSTGRES_URI.includes('?') ? '&' : '?';
  return {
    name: 'PostgreSQL',
    fresh() {
      const schema = unique('missive_test');
      schemas.push(schema);
      const table = (name: string): string => `"${schema}"."${name}"`;
      const target: StoreTarget = {
        uri: `${POSTGRES_URI}${separator}schema=${schema}`,
        relayConnection: connection,
        relayTable: `${schema}.subscriber`,
        subscriberTable: 'subscriber',
        async query(sql, params = []) {
          let n = 0;
          const result = await admin.query<Row>(
            sql.replace(/\?/g, () => `$${++n}`),
            [...params],
          );
          return result.rows;
        },
        table,
        async tableExists(name) {
          const rows = await target.query(
            'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
            [schema, name],
          );
          return rows.length > 0;
        },
        async readInOtherProcess(username, domain) {
          return asReadBack(
            await otherProcess(POSTGRES_READER, [
              JSON.stringify(config),
              table('subscriber'),
              username,
              domain,
            ]),
          );
        },
        migrate(migrations) {
          const pool = new PostgresPool(connection, { timeoutMs: ADMIN_TIMEOUT_MS, maxConnections: 2 });
          pools.push(pool);
          return migratePostgres(pool, schema, migrations);
        },
      };
      return Promise.resolve(target);
    },
    done: () => Promise.resolve(),
    async close() {
      await Promise.all(pools.map((pool) => pool.close()));
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
