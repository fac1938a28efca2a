// Retention on a real store (SQLite and PostgreSQL) with a manual clock: the first purge after the start
// delay, then one every interval, deleting exactly the entries stored before now − retention; stop() ends it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { RetentionPurger } from '../../src/store/journal/retention.js';
import { ManualClock } from '../support/manual-clock.js';
import type { ConformanceBackend } from './backends.js';
import { ALICE, BOB, incoming } from './journal-entries.js';
import { BACKENDS, T0 } from '../web/harness.js';

const DAY = 24 * 3600 * 1000;

/** Waits for the run the timer started (runOnce() joins it) and for the next run to be scheduled. */
async function settle(purger: RetentionPurger, clock: ManualClock): Promise<void> {
  await purger.runOnce();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(clock.pending, 1, 'the next run is scheduled');
}

for (const { name, make } of BACKENDS) {
  describe(`journal retention (${name})`, () => {
    let backend: ConformanceBackend;
    let store: Store;

    before(async () => {
      backend = await make();
      store = await openStore((await backend.fresh()).uri);
    });
    after(async () => {
      await store.close();
      await backend.close();
    });

    test('purges what is older than the retention, periodically, and stops', async () => {
      const clock = new ManualClock(T0 + 10 * DAY);
      await store.journal.append(ALICE, incoming('old1'), T0);
      await store.journal.append(BOB, incoming('old2'), T0 + DAY);
      await store.journal.append(ALICE, incoming('recent'), T0 + 9 * DAY);
      const purger = new RetentionPurger({
        journal: store.journal,
        clock,
        retentionMs: 5 * DAY,
        intervalMs: DAY,
        firstDelayMs: 1000,
      });
      purger.start();
      clock.advance(999);
      assert.equal(await store.journal.count(ALICE), 2, 'nothing before the first delay');
      clock.advance(1);
      await settle(purger, clock);
      assert.equal(await store.journal.count(ALICE), 1);
      assert.equal(await store.journal.count(BOB), 0);
      assert.ok((await store.journal.get(ALICE, 'recent')) !== undefined);

      // One run a day; 'recent' (stored at day 9) goes at the run of day 14, not before.
      for (let day = 11; day <= 13; day++) {
        clock.advance(DAY);
        await settle(purger, clock);
        assert.equal(await store.journal.count(ALICE), 1, `day ${String(day)}`);
      }
      clock.advance(DAY);
      await settle(purger, clock);
      assert.equal(await store.journal.count(ALICE), 0);

      await store.journal.append(ALICE, incoming('after-stop'), T0);
      await purger.stop();
      clock.advance(10 * DAY);
      assert.equal(await store.journal.count(ALICE), 1, 'no purge after stop()');
    });

    test('rejects a retention that is not a positive whole number of ms', () => {
      const clock = new ManualClock(T0);
      for (const retentionMs of [0, -1, 1.5, Number.NaN]) {
        assert.throws(() => new RetentionPurger({ journal: store.journal, clock, retentionMs }), RangeError);
      }
    });
  });
}
