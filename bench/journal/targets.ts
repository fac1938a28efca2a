/**
 * The stores under test, each with a side connection of the benchmark's own for what the store API does
 * not offer: bulk loading (an account with a million entries in seconds, not hours of appends), the full
 * scan the reference does, and the query plan.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { decodeEntryRow, ENTRY_COLUMNS } from '../../src/store/journal/row.js';
import { journalSql } from '../../src/store/journal/sql.js';
import { tableNamer } from '../../src/store/tables.js';
import { cassandraTarget } from './cassandra-target.js';
import type { Backend, Options } from './options.js';
import type { BenchTarget } from './target.js';

const CONTENT = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';
const COLUMNS = ENTRY_COLUMNS.join(', ');

export function openTarget(
  backend: Backend,
  options: Pick<Options, 'postgresUri' | 'cassandraHost'>,
): Promise<BenchTarget> {
  if (backend === 'cassandra') return cassandraTarget(options.cassandraHost);
  return backend === 'sqlite' ? sqliteTarget() : postgresTarget(options.postgresUri);
}

async function sqliteTarget(): Promise<BenchTarget> {
  // The system temporary directory is on the machine's disk here (not tmpfs): commits pay a real fsync.
  const dir = mkdtempSync(join(tmpdir(), 'missive-bench-journal-'));
  const path = join(dir, 'journal.db');
  const store = await openStore(`sqlite://${path}`);
  const side = new BetterSqlite3(path, { timeout: 60_000 });
  const t = tableNamer('sqlite');
  const version = String(side.prepare('SELECT sqlite_version()').pluck().get());
  const before = side.prepare(journalSql(t, () => '?').before);
  return {
    name: 'SQLite',
    store,
    settings: `SQLite ${version} (better-sqlite3), WAL, synchronous = FULL (fsync at every commit)`,
    load({ account, entries, start }) {
      const insert = side.prepare(
        `WITH RECURSIVE n(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO ${t('missive_journal')} (${COLUMNS})
         SELECT ?, i, 'm-' || i, 'contact' || (i % 50) || '@example.com',
           CASE i % 2 WHEN 0 THEN 'incoming' ELSE 'outgoing' END, 'text/plain', 'message ' || i || ': ' || ?,
           CASE WHEN i % 2 = 0 AND i > ? THEN '["positive-delivery","display"]' ELSE '[]' END,
           CASE i % 2 WHEN 0 THEN 'received' ELSE 'displayed' END,
           '2024-05-01T10:00:00.000Z', ? + i * 10, CASE WHEN i % 2 = 0 AND i > ? THEN 1 ELSE 0 END
         FROM n`,
      );
      const unreadFrom = entries - 100;
      const chunk = 100_000;
      for (let first = 1; first <= entries; first += chunk) {
        const last = Math.min(entries, first + chunk - 1);
        side.transaction(() => insert.run(first, last, account, CONTENT, unreadFrom, start, unreadFrom))();
      }
      side.transaction(() => {
        side
          .prepare(
            `INSERT INTO ${t('missive_journal_account')} (account, last_seq, last_created_at) VALUES (?, ?, ?)`,
          )
          .run(account, entries, start + entries * 10);
        side
          .prepare(
            `INSERT INTO ${t('missive_journal_unread')} (account, contact, unread) SELECT account, contact, COUNT(*) ` +
              `FROM ${t('missive_journal')} WHERE account = ? AND seq > ? AND unread = 1 GROUP BY account, contact`,
          )
          .run(account, unreadFrom);
      })();
      return Promise.resolve();
    },
    fullScan(account, keep) {
      const kept: unknown[] = [];
      const rows = side
        .prepare<unknown[], unknown[]>(
          `SELECT ${COLUMNS} FROM ${t('missive_journal')} WHERE account = ? ORDER BY seq`,
        )
        .raw(true)
        .iterate(account);
      for (const row of rows) {
        kept.push(decodeEntryRow(row));
        if (kept.length > keep) kept.shift();
      }
      return Promise.resolve(kept.length);
    },
    plan(account) {
      const rows = side
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${before.source}`)
        .all(account, Number.MAX_SAFE_INTEGER, 101);
      return Promise.resolve(rows.map((row) => row.detail).join('; '));
    },
    async close() {
      side.pragma('optimize');
      side.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(uri: string): Promise<BenchTarget> {
  const schema = `missive_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const store = await openStore(`${uri}${uri.includes('?') ? '&' : '?'}schema=${schema}`);
  // No statement timeout: loading a million rows takes longer than the store's bound of 5 s.
  const side = new pg.Client({ connectionString: uri });
  side.on('error', () => undefined);
  await side.connect();
  const t = tableNamer('postgres', schema);
  const setting = async (name: string): Promise<string> =>
    String((await side.query<{ v: string }>(`SELECT current_setting('${name}') AS v`)).rows[0]?.v);
  const version = (await setting('server_version')).split(' ')[0] ?? '?';
  const settings = `PostgreSQL ${version} on 127.0.0.1 (pg), synchronous_commit = ${await setting('synchronous_commit')}, shared_buffers = ${await setting('shared_buffers')}`;
  const before = journalSql(t, (n) => `$${n}`).before;
  return {
    name: 'PostgreSQL',
    store,
    settings,
    async load({ account, entries, start }) {
      const unreadFrom = entries - 100;
      const chunk = 100_000;
      for (let first = 1; first <= entries; first += chunk) {
        const last = Math.min(entries, first + chunk - 1);
        await side.query(
          `INSERT INTO ${t('missive_journal')} (${COLUMNS})
           SELECT $1, i, 'm-' || i, 'contact' || (i % 50) || '@example.com',
             CASE i % 2 WHEN 0 THEN 'incoming' ELSE 'outgoing' END, 'text/plain',
             convert_to('message ' || i || ': ' || $2, 'UTF8'),
             CASE WHEN i % 2 = 0 AND i > $3 THEN '["positive-delivery","display"]' ELSE '[]' END,
             CASE i % 2 WHEN 0 THEN 'received' ELSE 'displayed' END,
             '2024-05-01T10:00:00.000Z', $4::bigint + i * 10, CASE WHEN i % 2 = 0 AND i > $3 THEN 1 ELSE 0 END
           FROM generate_series($5::bigint, $6::bigint) AS i`,
          [account, CONTENT, unreadFrom, start, first, last],
        );
      }
      await side.query(
        `INSERT INTO ${t('missive_journal_account')} (account, last_seq, last_created_at) VALUES ($1, $2, $3)`,
        [account, entries, start + entries * 10],
      );
      await side.query(
        `INSERT INTO ${t('missive_journal_unread')} (account, contact, unread) SELECT account, contact, COUNT(*) ` +
          `FROM ${t('missive_journal')} WHERE account = $1 AND seq > $2 AND unread = 1 GROUP BY account, contact`,
        [account, unreadFrom],
      );
    },
    async fullScan(account, keep) {
      const result = await side.query<unknown[]>({
        text: `SELECT ${COLUMNS} FROM ${t('missive_journal')} WHERE account = $1 ORDER BY seq`,
        values: [account],
        rowMode: 'array',
      });
      return result.rows.map(decodeEntryRow).slice(-keep).length;
    },
    async plan(account) {
      await side.query(`ANALYZE ${t('missive_journal')}`);
      const result = await side.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${before}`,
        [account, Number.MAX_SAFE_INTEGER, 101],
      );
      return result.rows.map((row) => row['QUERY PLAN'].trim()).join('; ');
    },
    async close() {
      await store.close();
      await side.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await side.end();
    },
  };
}
