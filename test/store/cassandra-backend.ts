/**
 * The Cassandra node as a conformance backend: a fresh keyspace per target, dropped when its test is done (or
 * at the end), and CQL through the harness's own driver client (CQL's `?` placeholders are the harness's). The node is the one
 * scripts/cassandra/node.sh runs on 127.0.0.1:9042 (MISSIVE_TEST_CASSANDRA_HOST overrides); tests do not
 * start it. What only an SQL store has (the relay's subscriber table, the migration runner) is not here; subscribers
 * are in missive's own table.
 */
import { randomBytes } from 'node:crypto';
import cassandra from 'cassandra-driver';
import type { ConformanceBackend, Row, StoreTarget } from './backends.js';
import { processAlive } from '../support/process-alive.js';
import { runNode } from './processes.js';

export const CASSANDRA_HOST = process.env.MISSIVE_TEST_CASSANDRA_HOST ?? '127.0.0.1:9042';
const ADMIN_TIMEOUT_MS = 60_000;
const DROP_TIMEOUT_MS = 180_000;
/** How long a backend spends at its start dropping keyspaces left by test processes that have ended. */
const SWEEP_MS = 20_000;

/** A subscriber's ha1 and password, read by another Node process with the plain driver. */
const READER = `
const cassandra = require('cassandra-driver');
const [host, keyspace, username, domain] = process.argv.slice(1);
(async () => {
  const client = new cassandra.Client({ contactPoints: [host], localDataCenter: 'datacenter1' });
  await client.connect();
  const result = await client.execute(
    'SELECT ha1, password FROM ' + keyspace + '.missive_subscriber WHERE username = ? AND domain = ?',
    [username, domain], { prepare: true });
  await client.shutdown();
  const row = result.rows[0];
  process.stdout.write(JSON.stringify(row === undefined ? null : { ha1: row.ha1, password: row.password }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function notSql(what: string): never {
  throw new Error(`the Cassandra backend has no ${what}`);
}

/**
 * Drops the keyspaces of test processes that have ended (a run killed before it dropped its own), for at most
 * SWEEP_MS: on a developer's node they would otherwise pile up across runs until the node's heap is full.
 */
async function sweep(admin: cassandra.Client, drop: (keyspace: string) => Promise<void>): Promise<void> {
  const deadline = Date.now() + SWEEP_MS;
  const result = await admin.execute('SELECT keyspace_name FROM system_schema.keyspaces');
  for (const row of result.rows) {
    const keyspace = String(row.get('keyspace_name'));
    const owner = /^missive_test_(\d+)_[0-9a-f]{8}$/.exec(keyspace)?.[1];
    if (owner === undefined || processAlive(Number(owner))) continue;
    if (Date.now() > deadline) return;
    await drop(keyspace);
  }
}

export async function cassandraBackend(): Promise<ConformanceBackend> {
  const admin = new cassandra.Client({
    contactPoints: [CASSANDRA_HOST],
    localDataCenter: 'datacenter1',
    socketOptions: { readTimeout: ADMIN_TIMEOUT_MS },
  });
  await admin.connect();
  const keyspaces: string[] = [];
  const dropping: Promise<void>[] = [];
  // Housekeeping, not a test: a node busy with other work (a benchmark's bulk load, other test files) may
  // take longer than any bound to drop a keyspace, and that must not fail the tests that passed. What is
  // left is named missive_test_<pid>_* and dropped by the next backend's sweep once that process has ended.
  const drop = (keyspace: string): Promise<void> =>
    admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: DROP_TIMEOUT_MS }).then(
      () => undefined,
      (error: unknown) => {
        process.stderr.write(`could not drop the test keyspace ${keyspace}: ${String(error)}\n`);
      },
    );
  await sweep(admin, drop);
  return {
    name: 'Cassandra',
    fresh() {
      const keyspace = `missive_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      keyspaces.push(keyspace);
      const target: StoreTarget = {
        uri: `cassandra://${CASSANDRA_HOST}/${keyspace}`,
        get relayConnection(): never {
          return notSql("relay's SQL connection");
        },
        relayTable: 'subscriber',
        subscriberTable: 'missive_subscriber',
        async query(cql, params = []) {
          const result = await admin.execute(cql, [...params], { prepare: true });
          // The driver's types promise rows, but a schema statement's result has none.
          if (!Array.isArray(result.rows)) return [];
          return result.rows.map(
            (row): Row => Object.fromEntries(row.keys().map((key) => [key, row.get(key) as unknown])),
          );
        },
        table: (name) => `${keyspace}.${name}`,
        async tableExists(name) {
          const rows = await target.query(
            'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
            [keyspace, name],
          );
          return rows.length > 0;
        },
        async readInOtherProcess(username, domain) {
          const found = await runNode(['-e', READER, CASSANDRA_HOST, keyspace, username, domain], {
            timeoutMs: 60_000,
          });
          if (found.code !== 0) throw new Error(`reader process failed (${found.code}): ${found.stderr}`);
          const row = JSON.parse(found.stdout) as { ha1: string; password: string | null } | null;
          return row ?? undefined;
        },
        migrate: () => Promise.reject(new Error('the Cassandra backend has no SQL migration runner')),
      };
      return Promise.resolve(target);
    },
    done(target) {
      const keyspace = target.table('x').split('.')[0] ?? '';
      const at = keyspaces.indexOf(keyspace);
      if (at < 0) return Promise.resolve();
      keyspaces.splice(at, 1);
      // Not waited for: a drop takes the node a second or two, which the next test need not wait out.
      dropping.push(drop(keyspace));
      return Promise.resolve();
    },
    async close() {
      try {
        await Promise.all(dropping);
        for (const keyspace of keyspaces) await drop(keyspace);
      } finally {
        await admin.shutdown();
      }
    },
  };
}
