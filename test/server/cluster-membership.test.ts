// [Cluster] checked against the store (server/cluster.ts): a store of one process (SQLite) refuses, with a
// message naming the stores that carry several instances; PostgreSQL and Cassandra both do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ClusterMembership, ClusterSettingsError } from '../../src/server/cluster.js';
import { openStore } from '../../src/store/index.js';
import { systemClock } from '../../src/time/clock.js';
import { type ConformanceBackend, postgresBackend, sqliteBackend } from '../store/backends.js';
import { cassandraBackend } from '../store/cassandra-backend.js';

const SETTINGS = { id: 'a', address: 'sip:10.0.0.2:5060', heartbeatMs: 5000, deadAfterMs: 30_000 };

for (const [name, backendOf, shared] of [
  ['SQLite', sqliteBackend, false],
  ['PostgreSQL', postgresBackend, true],
  ['Cassandra', cassandraBackend, true],
] as const)
  describe(`[Cluster] on ${name}`, { timeout: 120_000 }, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await backendOf();
    });
    after(() => backend.close());

    it(shared ? 'is accepted' : 'is refused, naming the stores that carry several instances', async () => {
      const store = await openStore((await backend.fresh()).uri);
      try {
        const membership = () => ClusterMembership.of(SETTINGS, store, systemClock, pino({ enabled: false }));
        if (shared) assert.equal(membership().self, 'a');
        else
          assert.throws(membership, (error: unknown) => {
            assert.ok(error instanceof ClusterSettingsError);
            assert.match(
              error.message,
              /store = postgresql:\/\/… or cassandra:\/\/… \(sqlite is one process's store\)/,
            );
            return true;
          });
      } finally {
        await store.close();
      }
    });
  });
