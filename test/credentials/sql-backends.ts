/**
 * The real databases the SQL credential store is tested against: MariaDB/MySQL on 127.0.0.1:3306 (root,
 * no password, database `test`), PostgreSQL on 127.0.0.1:5432 (trust, postgres, database `test`) and
 * SQLite files in a temporary directory. The tests do not start servers; CI does.
 * Each backend has a writable admin connection of its own, independent of the code under test.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { type DatabaseConnection, parseDatabaseUri, type SqlDialect } from '../../src/sql/index.js';
import { freePort } from '../support/ports.js';

export const MYSQL_URI = process.env.MISSIVE_TEST_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test';
export const POSTGRES_URI =
  process.env.MISSIVE_TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN_TIMEOUT_MS = 5000;

export type SqlValue = string | null;

export interface BrokenConnection {
  readonly label: string;
  readonly connection: DatabaseConnection;
  /** The password in the connection, which no error message may contain; undefined when it has none. */
  readonly secret: string | undefined;
}

export interface TestBackend {
  readonly dialect: SqlDialect;
  /** Where the code under test connects. */
  readonly connection: DatabaseConnection;
  /** The schema (PostgreSQL), database (MySQL) or attached database (SQLite) the tables are in. */
  readonly schema: string;
  /** SQL with `?` placeholders, through the admin connection. */
  exec(sql: string, params?: readonly SqlValue[]): Promise<void>;
  readonly quote: (name: string) => string;
  /** The column type of an auto-increment primary key, for Kamailio's `id`. */
  readonly idColumn: string;
  brokenConnections(): Promise<BrokenConnection[]>;
  /** For servers: the SQL giving the current connection's server-side id, and what kills one. */
  readonly connectionIdSql: string | undefined;
  kill(id: string): Promise<void>;
  close(): Promise<void>;
}

/** A table name no other test, or other run, uses. */
export function uniqueTableName(prefix = 'subscriber'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A server that accepts TCP connections and never says a word: a database that hangs. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function uri(text: string): DatabaseConnection {
  return parseDatabaseUri(text, '/nonexistent');
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no answer within ${ADMIN_TIMEOUT_MS} ms (is the server running?)`));
    }, ADMIN_TIMEOUT_MS);
  });
  return Promise.race([promise, deadline]).finally(() => {
    clearTimeout(timer);
  });
}

export async function openMysqlBackend(): Promise<TestBackend> {
  const connection = uri(MYSQL_URI);
  if (connection.dialect !== 'mysql') throw new Error('MISSIVE_TEST_MYSQL_URI is not a mysql URI');
  const admin = await withTimeout(
    mysql.createConnection({
      host: connection.host,
      port: connection.port ?? 3306,
      user: connection.user ?? 'root',
      password: connection.password ?? '',
      database: connection.database,
      connectTimeout: ADMIN_TIMEOUT_MS,
    }),
    `connecting to MySQL at ${connection.host}:${connection.port ?? 3306}`,
  );
  return {
    dialect: 'mysql',
    connection,
    schema: connection.database,
    idColumn: 'INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL',
    async exec(sql, params = []) {
      await withTimeout(admin.execute({ sql, timeout: ADMIN_TIMEOUT_MS }, [...params]), 'MySQL admin query');
    },
    quote: (name) => `\`${name}\``,
    async brokenConnections() {
      const port = await freePort();
      const secret = 'wr0ng-S3cret-pw';
      return [
        { label: 'wrong port', connection: uri(`mysql://root@127.0.0.1:${port}/test`), secret: undefined },
        {
          label: 'wrong password',
          connection: uri(
            `mysql://${connection.user ?? 'root'}:${secret}@${connection.host}:${connection.port ?? 3306}/test`,
          ),
          secret,
        },
      ];
    },
    connectionIdSql: 'SELECT CONNECTION_ID()',
    async kill(id) {
      await withTimeout(admin.query(`KILL ${Number(id)}`), 'MySQL KILL');
    },
    async close() {
      await admin.end();
    },
  };
}

export async function openPostgresBackend(): Promise<TestBackend> {
  const connection = uri(POSTGRES_URI);
  if (connection.dialect !== 'postgres') throw new Error('MISSIVE_TEST_POSTGRES_URI is not a postgres URI');
  const admin = new pg.Client({
    host: connection.host,
    port: connection.port ?? 5432,
    user: connection.user ?? 'postgres',
    password: connection.password ?? '',
    database: connection.database,
    connectionTimeoutMillis: ADMIN_TIMEOUT_MS,
    query_timeout: ADMIN_TIMEOUT_MS,
  });
  admin.on('error', () => undefined);
  await withTimeout(
    admin.connect(),
    `connecting to PostgreSQL at ${connection.host}:${connection.port ?? 5432}`,
  );
  return {
    dialect: 'postgres',
    connection,
    schema: 'public',
    idColumn: 'SERIAL PRIMARY KEY NOT NULL',
    async exec(sql, params = []) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      await admin.query(text, [...params]);
    },
    quote: (name) => `"${name}"`,
    async brokenConnections() {
      const port = await freePort();
      const secret = 'wr0ng-S3cret-pw';
      const server = `${connection.host}:${connection.port ?? 5432}`;
      return [
        {
          label: 'wrong port',
          connection: uri(`postgres://postgres:${secret}@127.0.0.1:${port}/test`),
          secret,
        },
        {
          label: 'missing database',
          connection: uri(`postgresql://postgres:${secret}@${server}/no_such_db_${process.pid}`),
          secret,
        },
      ];
    },
    connectionIdSql: 'SELECT pg_backend_pid()',
    async kill(id) {
      await admin.query('SELECT pg_terminate_backend($1::int)', [id]);
    },
    async close() {
      await admin.end();
    },
  };
}

export async function openSqliteBackend(): Promise<TestBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'missive-sqlite-'));
  const path = join(dir, 'subscribers.db');
  const admin = new BetterSqlite3(path);
  return {
    dialect: 'sqlite',
    // The relative form, resolved against the "config directory".
    connection: parseDatabaseUri('sqlite:subscribers.db', dir),
    schema: 'main',
    idColumn: 'INTEGER PRIMARY KEY NOT NULL',
    exec(sql, params = []) {
      admin.prepare(sql).run(...params);
      return Promise.resolve();
    },
    quote: (name) => `"${name}"`,
    brokenConnections() {
      return Promise.resolve([
        { label: 'missing file', connection: uri(`sqlite://${join(dir, 'missing.db')}`), secret: undefined },
      ]);
    },
    connectionIdSql: undefined,
    kill() {
      return Promise.reject(new Error('SQLite has no server connections'));
    },
    async close() {
      admin.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Kamailio's `subscriber` table (id, username, domain, password, ha1, ha1b), optionally with ha1_sha256. */
export async function createSubscriberTable(
  backend: TestBackend,
  table: string,
  sha256 = false,
): Promise<void> {
  const text = (name: string, size: number): string => `${name} VARCHAR(${size}) DEFAULT '' NOT NULL`;
  const columns = [
    `id ${backend.idColumn}`,
    text('username', 64),
    text('domain', 64),
    text('password', 64),
    text('ha1', 128),
    text('ha1b', 128),
    ...(sha256 ? ['ha1_sha256 VARCHAR(128) DEFAULT NULL'] : []),
    'UNIQUE (username, domain)',
  ];
  await backend.exec(`CREATE TABLE ${backend.quote(table)} (${columns.join(', ')})`);
}

export async function dropTable(backend: TestBackend, table: string): Promise<void> {
  await backend.exec(`DROP TABLE IF EXISTS ${backend.quote(table)}`);
}
