/** DeadlineQueue: FIFO timeouts with one clock timer for the head, driven by a fake clock. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DeadlineQueue } from '../../src/time/deadline-queue.js';
import { ManualClock as FakeClock } from '../support/manual-clock.js';

function setup(): { clock: FakeClock; queue: DeadlineQueue; fired: string[]; at: Map<string, number> } {
  const clock = new FakeClock();
  const queue = new DeadlineQueue(clock);
  const fired: string[] = [];
  const at = new Map<string, number>();
  return { clock, queue, fired, at };
}

describe('DeadlineQueue', () => {
  test('an entry fires at its deadline, not before, exactly once', () => {
    const { clock, queue, fired } = setup();
    queue.add(1000, () => fired.push('a'));
    assert.equal(queue.size, 1);
    clock.advance(999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ['a']);
    clock.advance(10_000);
    assert.deepEqual(fired, ['a']);
    assert.equal(queue.size, 0);
  });

  test('addFor calls the shared callback with the argument of each entry; a cancelled one not at all', () => {
    const { clock, queue, fired } = setup();
    const shared = (name: string): void => {
      fired.push(name);
    };
    queue.addFor(1000, shared, 'a');
    const b = queue.addFor(1000, shared, 'b');
    queue.addFor(1000, shared, 'c');
    b.cancel();
    clock.advance(1000);
    assert.deepEqual(fired, ['a', 'c']);
  });

  test('entries fire in order, each at its own time', () => {
    const { clock, queue, fired, at } = setup();
    const add = (name: string): void => {
      queue.add(1000, () => {
        fired.push(name);
        at.set(name, clock.now());
      });
    };
    add('a');
    clock.advance(300);
    add('b');
    add('c');
    clock.advance(400);
    add('d');
    clock.advance(5000);
    assert.deepEqual(fired, ['a', 'b', 'c', 'd']);
    assert.deepEqual(Object.fromEntries(at), { a: 1000, b: 1300, c: 1300, d: 1700 });
  });

  test('a cancelled entry never fires; the others still fire on time', () => {
    const { clock, queue, fired, at } = setup();
    const a = queue.add(1000, () => fired.push('a'));
    clock.advance(100);
    queue.add(1000, () => {
      fired.push('b');
      at.set('b', clock.now());
    });
    a.cancel();
    clock.advance(2000);
    assert.deepEqual(fired, ['b']);
    assert.equal(at.get('b'), 1100);
  });

  test('cancelling after firing, or twice, is harmless', () => {
    const { clock, queue, fired } = setup();
    const a = queue.add(10, () => fired.push('a'));
    clock.advance(10);
    a.cancel();
    a.cancel();
    queue.add(10, () => fired.push('b'));
    clock.advance(10);
    assert.deepEqual(fired, ['a', 'b']);
  });

  test('an idle queue holds no clock timer; a single timer covers many entries', () => {
    const { clock, queue } = setup();
    for (let i = 0; i < 100; i++) queue.add(1000, () => undefined);
    assert.equal(clock.pending, 1, 'one timer for the head only');
    clock.advance(1000);
    assert.equal(queue.size, 0);
    assert.equal(clock.pending, 0);
    const timers = Array.from({ length: 10 }, () =>
      queue.add(500, () => assert.fail('cancelled entry fired')),
    );
    for (const timer of timers) timer.cancel();
    clock.advance(500);
    assert.equal(clock.pending, 0, 'only cancelled entries: no timer left');
  });

  test('entries cancelled in order are let go at once, not when the head timer fires', () => {
    const { clock, queue, fired } = setup();
    const timers = Array.from({ length: 5000 }, (_, i) => queue.add(1000, () => fired.push(`t${i}`)));
    for (const timer of timers.slice(0, 4999)) timer.cancel();
    assert.equal(queue.size, 1, 'only the live entry is still held');
    const later = queue.add(1000, () => fired.push('later'));
    timers[4999]?.cancel();
    assert.equal(queue.size, 1);
    clock.advance(1000);
    assert.deepEqual(fired, ['later']);
    later.cancel();
    assert.equal(queue.size, 0);
  });

  test('a shorter delay after a longer one fires late (with the one before), never early', () => {
    const { clock, queue, fired, at } = setup();
    queue.add(1000, () => {
      fired.push('long');
      at.set('long', clock.now());
    });
    queue.add(100, () => {
      fired.push('short');
      at.set('short', clock.now());
    });
    clock.advance(999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ['long', 'short']);
    assert.equal(at.get('short'), 1000);
  });

  test('a callback may add entries; they fire at their own deadlines', () => {
    const { clock, queue, fired, at } = setup();
    queue.add(100, () => {
      fired.push('first');
      queue.add(100, () => {
        fired.push('second');
        at.set('second', clock.now());
      });
    });
    clock.advance(150);
    assert.deepEqual(fired, ['first']);
    clock.advance(50);
    assert.deepEqual(fired, ['first', 'second']);
    assert.equal(at.get('second'), 200);
  });

  test('a zero delay fires on the next clock tick', () => {
    const { clock, queue, fired } = setup();
    queue.add(0, () => fired.push('now'));
    assert.deepEqual(fired, [], 'not synchronously inside add()');
    clock.advance(0);
    assert.deepEqual(fired, ['now']);
  });

  test('thousands of entries (compaction) all fire once, in order, none early', () => {
    const { clock, queue } = setup();
    const firedAt: number[] = [];
    const dueAt: number[] = [];
    const cancelled = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const id = i;
      dueAt.push(clock.now() + 30_000);
      const timer = queue.add(30_000, () => {
        assert.ok(clock.now() >= dueAt[id]!, `entry ${id} fired early`);
        firedAt.push(id);
      });
      if (i % 7 === 0) {
        timer.cancel();
        cancelled.add(i);
      }
      clock.advance(3);
    }
    clock.advance(30_000);
    const expected = Array.from({ length: 5000 }, (_, i) => i).filter((i) => !cancelled.has(i));
    assert.deepEqual(firedAt, expected);
    assert.equal(queue.size, 0);
    assert.equal(clock.pending, 0);
  });

  test('property: with a constant delay, entries fire in FIFO order at exactly add time + delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3000 }), cancel: fc.boolean() }), {
          maxLength: 60,
        }),
        (delay, plan) => {
          const { clock, queue } = setup();
          const log: [number, number][] = [];
          const expected: [number, number][] = [];
          plan.forEach(({ gap, cancel }, id) => {
            clock.advance(gap);
            const due = clock.now() + delay;
            const timer = queue.add(delay, () => log.push([id, clock.now()]));
            if (cancel) timer.cancel();
            else expected.push([id, due]);
          });
          clock.advance(delay + 1);
          // Entries that were due during the adds fired then; order and times must still match.
          assert.deepEqual(log, expected);
          assert.equal(clock.pending, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
