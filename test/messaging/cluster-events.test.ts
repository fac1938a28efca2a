// The instance's side of the notice channel (messaging/cluster-events.ts) when the store fails to read: on
// a real PostgreSQL store whose notice table is gone, each failed read reaches the log, the first with its
// stack and then one line a minute with how many failed since, instead of events stopping in silence.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import pg from 'pg';
import { StoreEventFanout } from '../../src/messaging/cluster-events.js';
import type { ClusterStore } from '../../src/store/cluster/cluster-store.js';
import { openStore } from '../../src/store/index.js';
import { type ConformanceBackend, POSTGRES_URI, postgresBackend } from '../store/backends.js';
import { ManualClock } from '../support/manual-clock.js';
import { waitFor } from '../support/wait.js';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly failedReads?: number;
  readonly err?: { readonly stack?: string };
}

const T0 = Date.UTC(2026, 11, 7);
const READ_FAILED = 'reading the other instances’ events failed; trying again';

describe('cluster events: a store that cannot read its notices', () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await postgresBackend();
  });
  after(() => backend.close());

  it('logs the first failed read with its stack, then one line a minute counting the failures', async () => {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    const admin = new pg.Client({ connectionString: POSTGRES_URI });
    await admin.connect();
    const lines: Line[] = [];
    const logger = pino({ level: 'info' }, { write: (text: string) => lines.push(JSON.parse(text) as Line) });
    const clock = new ManualClock(T0);
    const cluster = store.cluster;
    assert.ok(cluster !== undefined);
    // The real store, with each failed read also counted here: the test's sign that a read has failed.
    const failures: unknown[] = [];
    const observed: ClusterStore = {
      heartbeat: (instance) => cluster.heartbeat(instance),
      instances: () => cluster.instances(),
      removeDead: (deadBefore, self) => cluster.removeDead(deadBefore, self),
      publish: (origin, payloads, now) => cluster.publish(origin, payloads, now),
      purgeNotices: (before) => cluster.purgeNotices(before),
      listen: (position, listener, onReadError) =>
        cluster.listen(position, listener, (error) => {
          failures.push(error);
          onReadError?.(error);
        }),
    };
    const fanout = new StoreEventFanout({ store: observed, self: 'a', clock, logger });
    try {
      await fanout.listen(() => undefined);
      await admin.query(`DROP TABLE ${target.table('missive_cluster_notice')}`);
      const failedRead = async (count: number): Promise<void> => {
        await admin.query("SELECT pg_notify('missive_cluster_notice', '1')");
        await waitFor(() => failures.length >= count, `failed read ${String(count)}`);
      };
      const logged = (): Line[] => lines.filter((line) => line.msg === READ_FAILED);

      await failedRead(1);
      assert.equal(logged().length, 1);
      assert.equal(logged()[0]?.level, 50);
      assert.equal(logged()[0]?.failedReads, 1);
      assert.match(logged()[0]?.err?.stack ?? '', /missive_cluster_notice/);

      // Within the minute: counted, not logged.
      await failedRead(2);
      await failedRead(3);
      assert.equal(logged().length, 1);

      clock.advance(60_000);
      await failedRead(4);
      assert.equal(logged().length, 2);
      assert.equal(logged()[1]?.failedReads, 3);
    } finally {
      await fanout.stop();
      await admin.end();
      await store.close();
    }
  });
});
