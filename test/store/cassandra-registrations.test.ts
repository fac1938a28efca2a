// What only the Cassandra subscribers and registrations have, on the real node scripts/cassandra/node.sh runs:
// binding rows that expire by themselves (a TTL of the binding's lifetime plus a grace period, and no row of
// nulls left when a refresh shortens it), scans that read every page across partitions, and the URI's
// consistency level on their lightweight transactions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CassandraLocationStore, DEFAULT_BINDING_GRACE_S } from '../../src/store/cassandra/locations.js';
import { CassandraSession } from '../../src/store/cassandra/session.js';
import { CassandraSubscriberStore } from '../../src/store/cassandra/subscribers.js';
import { parseCassandraUri } from '../../src/store/cassandra/uri.js';
import { openStore, StoreError } from '../../src/store/index.js';
import { eventually } from '../support/wait.js';
import type { ConformanceBackend, StoreTarget } from './backends.js';
import { makeBinding } from './bindings.js';
import { cassandraBackend } from './cassandra-backend.js';

const AOR = 'alice@example.com';
/** A row's TTL runs out on the node's clock: long enough for a loaded machine. */
const EXPIRY_WAIT = { timeoutMs: 60_000, intervalMs: 250 };

describe('Cassandra registrations and subscribers', { timeout: 600_000 }, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await cassandraBackend();
  });
  after(async () => {
    await backend.close();
  });

  /** A fresh keyspace with the store's tables, and a session of the test's own on it. */
  async function prepared(
    t: { after: (fn: () => Promise<void>) => void },
    pageSize?: number,
  ): Promise<{ target: StoreTarget; session: CassandraSession; keyspace: string }> {
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    await store.close();
    const location = parseCassandraUri(target.uri);
    const session = await CassandraSession.connect(location, {
      timeoutMs: 10_000,
      ...(pageSize === undefined ? {} : { pageSize }),
    });
    t.after(() => session.close());
    return { target, session, keyspace: location.keyspace };
  }

  it("writes a binding's row with a TTL of its lifetime plus the grace period, on every column", async (t) => {
    const { target, session, keyspace } = await prepared(t);
    const locations = new CassandraLocationStore(session, keyspace);
    const now = Date.now();
    await locations.upsert(makeBinding({ aor: AOR, updatedAt: now, expiresAt: now + 3_600_000 }));
    const [row] = await target.query(
      `SELECT TTL(contact) AS contact, TTL(call_id) AS call_id, TTL(expires_at) AS expires_at, ` +
        `TTL(updated_at) AS updated_at FROM ${target.table('missive_location')}`,
    );
    const limit = 3600 + DEFAULT_BINDING_GRACE_S;
    for (const [column, ttl] of Object.entries(row ?? {})) {
      assert.ok(Number(ttl) > limit - 120 && Number(ttl) <= limit, `${column}: TTL ${String(ttl)}`);
    }
  });

  it('a binding goes by itself once its TTL runs out, also when a refresh shortened it', async (t) => {
    const { session, keyspace } = await prepared(t);
    const locations = new CassandraLocationStore(session, keyspace, { graceSeconds: 0 });
    const now = Date.now();
    // An hour first, then a refresh of two seconds: the row must not outlive the refresh as a row of nulls.
    const first = makeBinding({ aor: AOR, callId: 'c', cseq: 1, updatedAt: now, expiresAt: now + 3_600_000 });
    assert.equal(await locations.upsert(first), 'stored');
    assert.equal(await locations.upsert({ ...first, cseq: 2, expiresAt: now + 2000 }), 'stored');
    const other = makeBinding({ aor: 'bob@example.com', updatedAt: now, expiresAt: now + 2000 });
    assert.equal(await locations.upsert(other), 'stored');
    assert.equal(await locations.count(), 2);
    // Lookups with an early "now" would still see the bindings: only the TTL can have removed them.
    await eventually(
      async () => (await locations.count()) === 0,
      'the rows to expire (count() 0)',
      EXPIRY_WAIT,
    );
    assert.deepEqual(await locations.lookup(AOR, 0), []);
    assert.deepEqual(await locations.lookup('bob@example.com', 0), []);
  });

  it('scans read every page across partitions: list, purgeExpired, removeAll, count', async (t) => {
    // Pages of 3 rows, as a table of more than 5000 subscribers or bindings meets the default page.
    const { session, keyspace } = await prepared(t, 3);
    const subscribers = new CassandraSubscriberStore(session, keyspace);
    const locations = new CassandraLocationStore(session, keyspace);
    const users = Array.from({ length: 10 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    for (const user of users) await subscribers.add(user, i(user) % 2 === 0 ? 'a.org' : 'b.org', 'pw');
    const listed = await subscribers.list();
    assert.equal(listed.length, 10);
    assert.deepEqual(
      listed.map((s) => `${s.username}@${s.domain}`),
      [
        ...users.filter((u) => i(u) % 2 === 0).map((u) => `${u}@a.org`),
        ...users.filter((u) => i(u) % 2 === 1).map((u) => `${u}@b.org`),
      ],
    );
    assert.equal((await subscribers.list('b.org')).length, 5);

    for (const user of users) {
      await locations.upsert(makeBinding({ aor: `${user}@a.org`, updatedAt: 0, expiresAt: 1000 }));
    }
    for (let k = 1; k <= 7; k++) {
      await locations.upsert(
        makeBinding({ aor: AOR, contact: `sip:alice@192.0.2.${k}`, updatedAt: 0, expiresAt: 5000 }),
      );
    }
    assert.equal(await locations.count(), 17);
    assert.equal((await locations.lookup(AOR, 0)).length, 7);
    assert.equal(await locations.purgeExpired(1000), 10);
    assert.equal(await locations.removeAll(AOR), 7);
    assert.equal(await locations.count(), 0);
  });

  it("applies the URI's consistency level to subscribers and registrations", async (t) => {
    const target = await backend.fresh();
    const created = await openStore(target.uri);
    await created.close();
    // Two replicas cannot acknowledge on a single node.
    const two = await openStore(`${target.uri}?consistency=two`);
    t.after(() => two.close());
    await assert.rejects(two.subscribers.add('alice', 'example.com', 'pw'), StoreError);
    await assert.rejects(two.locations.upsert(makeBinding({ aor: AOR })), StoreError);
    await assert.rejects(two.locations.lookup(AOR, 0), StoreError);
    // Other keys: a refused commit may leave its accepted Paxos proposal for the next one on the same key.
    const one = await openStore(`${target.uri}?consistency=one`);
    t.after(() => one.close());
    await one.subscribers.add('bob', 'example.com', 'pw');
    assert.equal((await one.subscribers.get('bob', 'example.com'))?.username, 'bob');
    assert.equal(await one.locations.upsert(makeBinding({ aor: 'bob@example.com' })), 'stored');
    assert.equal((await one.locations.lookup('bob@example.com', 0)).length, 1);
  });
});

/** The number in a test user's name. */
function i(user: string): number {
  return Number(user.slice(4));
}
