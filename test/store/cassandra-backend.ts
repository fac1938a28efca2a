/**
 * The Cassandra node as a conformance backend: a fresh keyspace per target, dropped at the end, and CQL
 * through the harness's own driver client (CQL's `?` placeholders are the harness's). The node is the one
 * scripts/cassandra/node.sh runs on 127.0.0.1:9042 (MISSIVE_TEST_CASSANDRA_HOST overrides); tests do not
 * start it. What only an SQL store has (the relay's subscriber table, the migration runner) is not here.
 */
import { randomBytes } from 'node:crypto';
import cassandra from 'cassandra-driver';
import type { ConformanceBackend, Row, StoreTarget } from './backends.js';

export const CASSANDRA_HOST = process.env.MISSIVE_TEST_CASSANDRA_HOST ?? '127.0.0.1:9042';
const ADMIN_TIMEOUT_MS = 60_000;

function notSql(what: string): never {
  throw new Error(`the Cassandra backend has no ${what}`);
}

export async function cassandraBackend(): Promise<ConformanceBackend> {
  const admin = new cassandra.Client({
    contactPoints: [CASSANDRA_HOST],
    localDataCenter: 'datacenter1',
    socketOptions: { readTimeout: ADMIN_TIMEOUT_MS },
  });
  await admin.connect();
  const keyspaces: string[] = [];
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
        readInOtherProcess: () => Promise.reject(new Error('the Cassandra backend has no subscriber table')),
        migrate: () => Promise.reject(new Error('the Cassandra backend has no SQL migration runner')),
      };
      return Promise.resolve(target);
    },
    async close() {
      try {
        for (const keyspace of keyspaces) await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      } finally {
        await admin.shutdown();
      }
    },
  };
}
