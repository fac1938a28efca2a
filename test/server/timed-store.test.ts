import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { timedStore } from '../../src/server/metrics/timed-store.js';
import { openStore } from '../../src/store/index.js';

test('timedStore: each journal call is observed once, by its name, with the time it took; the rest is the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'missive-timed-'));
  const observed: [string, number][] = [];
  // A clock that moves 5 ms per reading: the duration is what it reads, never the wall clock.
  let now = 0;
  const store = timedStore(
    await openStore(`sqlite://${join(dir, 'missive.db')}`),
    (operation, seconds) => observed.push([operation, seconds]),
    () => (now += 5),
  );
  try {
    assert.equal(await store.journal.count('alice@example.com'), 0);
    await assert.rejects(store.journal.latest('alice@example.com', -1));
    assert.deepEqual(observed, [
      ['count', 0.005],
      ['latest', 0.005],
    ]);
    // Not the journal: not timed, and methods keep their store (# private fields) as `this`.
    assert.deepEqual(await store.subscribers.list(), []);
    assert.equal(
      Reflect.get(store.journal, 'count'),
      Reflect.get(store.journal, 'count'),
      'one wrapper per method, not one per call',
    );
    assert.equal(observed.length, 2);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
