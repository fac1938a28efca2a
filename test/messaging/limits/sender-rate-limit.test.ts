/** The per-sender token bucket, on the manual clock: burst, refill, separate senders, a bounded table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SenderRateLimit } from '../../../src/messaging/limits/sender-rate-limit.js';
import { ManualClock } from '../../support/manual-clock.js';

const takes = (limit: SenderRateLimit, sender: string, n: number): boolean[] =>
  Array.from({ length: n }, () => limit.take(sender));

test('a sender has `burst` messages at once, then one per 1/rate seconds', () => {
  const clock = new ManualClock(1_000_000);
  const limit = new SenderRateLimit({ perSecond: 2, burst: 3, clock });
  assert.deepEqual(takes(limit, 'alice@example.com', 4), [true, true, true, false]);
  clock.advance(499);
  assert.equal(limit.take('alice@example.com'), false, 'not a whole token yet');
  clock.advance(1);
  assert.deepEqual(takes(limit, 'alice@example.com', 2), [true, false]);
  // A long pause refills to the burst, never beyond.
  clock.advance(3_600_000);
  assert.deepEqual(takes(limit, 'alice@example.com', 4), [true, true, true, false]);
});

test('refused attempts do not push the refill back', () => {
  const clock = new ManualClock(0);
  const limit = new SenderRateLimit({ perSecond: 1, burst: 1, clock });
  assert.equal(limit.take('a'), true);
  for (let i = 0; i < 9; i++) {
    clock.advance(100);
    assert.equal(limit.take('a'), false);
  }
  clock.advance(100);
  assert.equal(limit.take('a'), true, 'one second after the last accepted message');
});

test('senders are limited separately', () => {
  const clock = new ManualClock(0);
  const limit = new SenderRateLimit({ perSecond: 1, burst: 2, clock });
  assert.deepEqual(takes(limit, 'mallory', 3), [true, true, false]);
  assert.deepEqual(takes(limit, 'alice', 2), [true, true]);
});

test('the table is bounded: refilled buckets go first, then the least recently used', () => {
  const clock = new ManualClock(0);
  const limit = new SenderRateLimit({ perSecond: 1, burst: 2, clock, maxSenders: 3 });
  limit.take('a');
  limit.take('b');
  clock.advance(10_000); // a and b have refilled: they hold nothing worth keeping
  limit.take('c');
  limit.take('c');
  assert.equal(limit.take('c'), false);
  limit.take('d');
  assert.equal(limit.size, 2, 'a and b dropped; c (an empty bucket) and d kept');
  assert.equal(limit.take('c'), false, "c's empty bucket survived");
  limit.take('e');
  limit.take('f');
  assert.equal(limit.size, 3, 'd, the least recently used, dropped');
  assert.deepEqual(takes(limit, 'd', 2), [true, true], 'd starts again with a full bucket');
});

test('a rate limit needs a positive rate and a burst of at least one', () => {
  const clock = new ManualClock(0);
  assert.throws(() => new SenderRateLimit({ perSecond: 0, burst: 1, clock }), RangeError);
  assert.throws(() => new SenderRateLimit({ perSecond: 1, burst: 0, clock }), RangeError);
});
