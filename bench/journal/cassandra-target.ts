/**
 * The Cassandra store under the journal benchmark: a keyspace of its own on the node (dropped at the end),
 * and a driver client of the benchmark's own that loads the account's partition in bulk (unlogged batches of
 * one partition, many in flight) with the rows and static state that appends would have written, and reads
 * the whole partition for the full scan.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { openStore } from '../../src/store/index.js';
import { decodeEntry, entryKey } from '../../src/store/cassandra/journal-rows.js';
import { CASSANDRA_TABLES } from '../../src/store/cassandra/schema.js';
import type { BenchTarget } from './target.js';

const CONTENT = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';
const ENTRY_COLUMNS =
  'seq, message_id, created_at, contact, direction, content, content_type, disposition, has_disposition, ' +
  'state, msg_timestamp, unread, content_bytes';
/** Rows per unlogged batch (all of one partition), and batches in flight while loading. */
const BATCH_ROWS = 100;
const IN_FLIGHT = 4;
/** A node busy with other work may time a batch out; the inserts are idempotent, so it is sent again. */
const BATCH_ATTEMPTS = 5;
const LOAD_TIMEOUT_MS = 120_000;

export async function cassandraTarget(host: string): Promise<BenchTarget> {
  const keyspace = `missive_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const store = await openStore(`cassandra://${host}/${keyspace}`);
  const side = new cassandra.Client({
    contactPoints: [host],
    localDataCenter: 'datacenter1',
    socketOptions: { readTimeout: LOAD_TIMEOUT_MS },
  });
  await side.connect();
  const t = `${keyspace}.${CASSANDRA_TABLES.journal}`;
  const setting = async (cql: string): Promise<string> =>
    String((await side.execute(cql)).rows[0]?.values()[0] ?? '?');
  const version = await setting('SELECT release_version FROM system.local');
  const sync = await setting("SELECT value FROM system_views.settings WHERE name = 'commitlog_sync'");
  const period = await setting(
    "SELECT value FROM system_views.settings WHERE name = 'commitlog_sync_period'",
  );
  const insertEntry = `INSERT INTO ${t} (account, kind, key, ${ENTRY_COLUMNS}) VALUES (?, 'e', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  const insertId = `INSERT INTO ${t} (account, kind, key, seq) VALUES (?, 'i', ?, ?)`;
  return {
    name: 'Cassandra',
    store,
    settings:
      `Apache Cassandra ${version}, one node on 127.0.0.1 (cassandra-driver), consistency local_quorum, ` +
      `commitlog_sync = ${sync} (${period}: a write is acknowledged before its fsync), heap 768 MiB`,
    async load({ account, entries, start }) {
      const unreadFrom = entries - 100;
      const unread = new Map<string, number>();
      let bytes = 0;
      const rowsOf = (i: number): { query: string; params: unknown[] }[] => {
        const contact = `contact${i % 50}@example.com`;
        const content = `message ${i}: ${CONTENT}`;
        const isUnread = i % 2 === 0 && i > unreadFrom;
        if (isUnread) unread.set(contact, (unread.get(contact) ?? 0) + 1);
        bytes += Buffer.byteLength(content);
        return [
          {
            query: insertEntry,
            params: [
              account,
              entryKey(i),
              i,
              `m-${i}`,
              start + i * 10,
              contact,
              i % 2 === 0 ? 'incoming' : 'outgoing',
              content,
              'text/plain',
              isUnread ? ['positive-delivery', 'display'] : [],
              true,
              i % 2 === 0 ? 'received' : 'displayed',
              '2024-05-01T10:00:00.000Z',
              isUnread,
              Buffer.byteLength(content),
            ],
          },
          { query: insertId, params: [account, `m-${i}`, i] },
        ];
      };
      // Batches made as the workers take them: a million entries' statements would not fit in memory at once.
      let next = 1;
      const worker = async (): Promise<void> => {
        while (next <= entries) {
          const first = next;
          next = Math.min(entries + 1, next + BATCH_ROWS / 2);
          const statements = [];
          for (let i = first; i < next; i++) statements.push(...rowsOf(i));
          for (let attempt = 1; ; attempt++) {
            try {
              await side.batch(statements, { prepare: true, logged: false });
              break;
            } catch (error) {
              if (attempt === BATCH_ATTEMPTS) throw error;
              await delay(1000 * attempt);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      await side.execute(
        `UPDATE ${t} SET version = 1, next_seq = ?, last_created_at = ?, entry_count = ?, content_total = ?, ` +
          'unread_counts = ? WHERE account = ?',
        [entries + 1, start + entries * 10, entries, bytes, Object.fromEntries(unread), account],
        { prepare: true },
      );
    },
    async fullScan(account, keep) {
      const kept: unknown[] = [];
      let pageState: string | undefined;
      do {
        const result = await side.execute(
          `SELECT ${ENTRY_COLUMNS} FROM ${t} WHERE account = ? AND kind = 'e'`,
          [account],
          { prepare: true, fetchSize: 5000, ...(pageState === undefined ? {} : { pageState }) },
        );
        for (const row of result.rows) {
          kept.push(decodeEntry(account, row));
          if (kept.length > keep) kept.shift();
        }
        const state: unknown = result.pageState;
        pageState = typeof state === 'string' ? state : undefined;
      } while (pageState !== undefined);
      return kept.length;
    },
    plan() {
      // Cassandra has no EXPLAIN: the read is one slice of one partition in clustering order.
      return Promise.resolve(
        `SELECT … FROM ${CASSANDRA_TABLES.journal} WHERE account = ? AND kind = 'e' AND key < ? ORDER BY kind DESC, key DESC LIMIT 101 (one partition, a reversed clustering slice)`,
      );
    },
    async close() {
      await store.close();
      await side.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: LOAD_TIMEOUT_MS });
      await side.shutdown();
    },
  };
}
