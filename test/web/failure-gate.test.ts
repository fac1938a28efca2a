// The web port's per-source limit of failed token checks, on a manual clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SourceFailureLimiter } from '../../src/web/failure-gate.js';
import { ManualClock } from '../support/manual-clock.js';

const LIMITS = { maxFailures: 3, windowSeconds: 10, blockSeconds: 30 };

describe('SourceFailureLimiter', () => {
  test('the failure that reaches the limit starts it; the source then waits, others do not', () => {
    const clock = new ManualClock(1000);
    const limiter = new SourceFailureLimiter(clock, LIMITS);
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'counted' });
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'counted' });
    assert.deepEqual(limiter.check('a'), { kind: 'open' });
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'limit-started', blockSeconds: 30 });
    assert.deepEqual(limiter.check('a'), { kind: 'limited', retryAfterSeconds: 30 });
    assert.deepEqual(limiter.check('b'), { kind: 'open' });
    clock.advance(12_500);
    assert.deepEqual(limiter.check('a'), { kind: 'limited', retryAfterSeconds: 18 }, 'rounded up');
    clock.advance(17_400);
    assert.deepEqual(limiter.check('a'), { kind: 'limited', retryAfterSeconds: 1 }, 'never 0');
    clock.advance(100);
    assert.deepEqual(limiter.check('a'), { kind: 'open' }, 'the block is over');
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'counted' }, 'and the count starts again');
  });

  test('failures outside the window do not add up', () => {
    const clock = new ManualClock();
    const limiter = new SourceFailureLimiter(clock, LIMITS);
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    clock.advance(10_000);
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'counted' }, 'a new window');
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'counted' });
    assert.equal(limiter.recordFailure('a').kind, 'limit-started');
  });

  test('a failure answered after the limit started (checked before) neither restarts nor lifts it', () => {
    const clock = new ManualClock();
    const limiter = new SourceFailureLimiter(clock, LIMITS);
    for (let i = 0; i < 3; i++) limiter.recordFailure('a');
    clock.advance(5000);
    assert.deepEqual(limiter.recordFailure('a'), { kind: 'already-limited' });
    assert.deepEqual(limiter.check('a'), { kind: 'limited', retryAfterSeconds: 25 });
  });

  test('memory is bounded, and a flood of new sources never lifts a limit', () => {
    const clock = new ManualClock();
    const limiter = new SourceFailureLimiter(clock, { ...LIMITS, maxSources: 2 });
    for (let i = 0; i < 3; i++) limiter.recordFailure('a');
    assert.equal(limiter.check('a').kind, 'limited');
    limiter.recordFailure('b');
    limiter.recordFailure('b');
    for (const source of ['c', 'd', 'e']) limiter.recordFailure(source);
    assert.equal(limiter.size, 3, 'two sources counting, one limited');
    assert.equal(limiter.check('a').kind, 'limited', 'the limit stays');
    assert.equal(limiter.recordFailure('b').kind, 'counted', "b's count was forgotten first");
  });

  test('limits must be positive', () => {
    const clock = new ManualClock();
    for (const limits of [{ maxFailures: 0 }, { windowSeconds: -1 }, { blockSeconds: Number.NaN }]) {
      assert.throws(() => new SourceFailureLimiter(clock, limits), RangeError);
    }
  });
});
