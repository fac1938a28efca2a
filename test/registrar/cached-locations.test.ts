/** CachedLocationStore over a real SQLite store: lookups from memory, writes invalidate, entries age out. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CachedLocationStore } from '../../src/registrar/cached-locations.js';
import type { Binding, LocationStore } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { makeBinding, T0 } from '../store/bindings.js';

const AOR = 'alice@example.com';

async function withStore(
  body: (cached: CachedLocationStore, lookups: () => number, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'missive-cache-'));
  const store = await openStore(`sqlite://${join(dir, 'store.db')}`);
  let count = 0;
  const counting: LocationStore = {
    upsert: (b) => store.locations.upsert(b),
    remove: (aor, key) => store.locations.remove(aor, key),
    removeFlow: (aor, key, connectionId) => store.locations.removeFlow(aor, key, connectionId),
    removeAll: (aor) => store.locations.removeAll(aor),
    lookup: (aor, now) => {
      count++;
      return store.locations.lookup(aor, now);
    },
    purgeExpired: (now) => store.locations.purgeExpired(now),
    count: () => store.locations.count(),
  };
  const clock = new ManualClock(T0);
  try {
    await body(new CachedLocationStore(counting, clock, 2000), () => count, clock);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const binding = (contact: string, expiresAt = T0 + 3_600_000): Binding =>
  makeBinding({ aor: AOR, contact, callId: contact, expiresAt });

test('repeated lookups are served from memory until a write for the AOR', async () => {
  await withStore(async (cached, lookups) => {
    await cached.upsert(binding('sip:alice@192.0.2.1'));
    assert.equal((await cached.lookup(AOR, T0)).length, 1);
    assert.equal((await cached.lookup(AOR, T0)).length, 1);
    assert.equal(lookups(), 1);
    await cached.upsert(binding('sip:alice@192.0.2.2'));
    assert.equal((await cached.lookup(AOR, T0)).length, 2, 'the write dropped the cached entry');
    assert.equal(lookups(), 2);
    await cached.removeAll(AOR);
    assert.deepEqual(await cached.lookup(AOR, T0), []);
  });
});

test('an entry is reloaded after maxAge, and expired bindings are filtered at read time', async () => {
  await withStore(async (cached, lookups, clock) => {
    await cached.upsert(binding('sip:alice@192.0.2.1', T0 + 1000));
    assert.equal((await cached.lookup(AOR, T0)).length, 1);
    assert.equal((await cached.lookup(AOR, T0 + 1000)).length, 0, 'expired while cached');
    clock.advance(2000);
    await cached.lookup(AOR, T0 + 2000);
    assert.equal(lookups(), 2);
  });
});
