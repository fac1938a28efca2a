/** FailureTable: counting, blocking, and a bound that cannot be used to lift a block. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureTable } from '../../src/auth/failure-table.js';
import { ManualClock } from '../support/manual-clock.js';

const T0 = 1_700_000_000_000;
const LIMITS = { maxFailures: 3, windowMs: 60_000, cooldownMs: 30_000, maxEntries: 100 };

describe('FailureTable', () => {
  it('blocks at the limit for the cooldown, then forgets', () => {
    const clock = new ManualClock(T0);
    const table = new FailureTable(clock, LIMITS);
    assert.equal(table.recordFailure('a'), false);
    assert.equal(table.recordFailure('a'), false);
    assert.equal(table.blockedFor('a'), 0);
    assert.equal(table.recordFailure('a'), true);
    assert.equal(table.blockedFor('a'), 30_000);
    assert.equal(table.blockedFor('b'), 0);
    clock.advance(29_000);
    assert.equal(table.recordFailure('a'), false, 'failures while blocked do not extend the block');
    clock.advance(1_000);
    assert.equal(table.blockedFor('a'), 0);
    assert.equal(table.recordFailure('a'), false, 'a clean slate after the cooldown');
  });

  it('counts within the window from the first failure only', () => {
    const clock = new ManualClock(T0);
    const table = new FailureTable(clock, LIMITS);
    table.recordFailure('a');
    table.recordFailure('a');
    clock.advance(60_000);
    assert.equal(table.recordFailure('a'), false);
    assert.equal(table.recordFailure('a'), false);
    assert.equal(table.recordFailure('a'), true);
  });

  it('forgetFailures clears a count, not a block', () => {
    const table = new FailureTable(new ManualClock(T0), LIMITS);
    table.recordFailure('a');
    table.recordFailure('a');
    table.forgetFailures('a');
    assert.equal(table.recordFailure('a'), false);
    table.recordFailure('b');
    table.recordFailure('b');
    table.recordFailure('b');
    table.forgetFailures('b');
    assert.ok(table.blockedFor('b') > 0);
  });

  it('stays bounded, and a flood of new keys evicts counts but never a block', () => {
    const clock = new ManualClock(T0);
    const table = new FailureTable(clock, LIMITS);
    for (let i = 0; i < 3; i++) table.recordFailure('victim');
    for (let i = 0; i < 10_000; i++) table.recordFailure(`flood${String(i)}`);
    assert.ok(table.size <= 2 * LIMITS.maxEntries, `size ${String(table.size)}`);
    assert.equal(table.blockedFor('victim'), 30_000);
  });

  it('drops expired blocks first when the blocked map is full, the one nearest its end only if none expired', () => {
    const clock = new ManualClock(T0);
    const table = new FailureTable(clock, { ...LIMITS, maxFailures: 1, maxEntries: 2 });
    table.recordFailure('a');
    clock.advance(1_000);
    table.recordFailure('b');
    clock.advance(1_000);
    table.recordFailure('c'); // full: a (the nearest to its end) goes
    assert.equal(table.blockedFor('a'), 0);
    assert.ok(table.blockedFor('b') > 0);
    assert.ok(table.blockedFor('c') > 0);
    clock.advance(29_500); // b has expired, c has not
    table.recordFailure('d');
    assert.ok(table.blockedFor('c') > 0);
    assert.ok(table.blockedFor('d') > 0);
  });
});
