// The Cassandra test backend's housekeeping, on the real node: keyspaces are dropped when their test is
// done, and those that ended test processes left behind are dropped by the next backend.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import cassandra from 'cassandra-driver';
import { waitFor } from '../support/wait.js';
import { CASSANDRA_HOST, cassandraBackend } from './cassandra-backend.js';

async function keyspaceExists(client: cassandra.Client, keyspace: string): Promise<boolean> {
  const result = await client.execute(
    'SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?',
    [keyspace],
    { prepare: true },
  );
  return result.rows.length > 0;
}

describe('the Cassandra test backend', { timeout: 600_000 }, () => {
  it('drops a target once its test is done, and keyspaces left by ended processes when it starts', async (t) => {
    const client = new cassandra.Client({
      contactPoints: [CASSANDRA_HOST],
      localDataCenter: 'datacenter1',
      socketOptions: { readTimeout: 120_000 },
    });
    await client.connect();
    const ended = spawnSync(process.execPath, ['-e', '']).pid;
    const left = `missive_test_${String(ended)}_0123abcd`;
    const live = `missive_test_${String(process.pid)}_4567cdef`;
    for (const keyspace of [left, live]) {
      await client.execute(
        `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      );
    }
    t.after(async () => {
      await client.execute(`DROP KEYSPACE IF EXISTS ${live}`);
      await client.shutdown();
    });

    const backend = await cassandraBackend();
    t.after(() => backend.close());
    assert.equal(await keyspaceExists(client, left), false, 'left by a process that has ended');
    assert.equal(await keyspaceExists(client, live), true, 'its process still runs');

    const target = await backend.fresh();
    const keyspace = target.table('x').split('.')[0] ?? '';
    await client.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await backend.done(target);
    await waitFor(async () => !(await keyspaceExists(client, keyspace)), 'the keyspace to be dropped', {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
  });
});
