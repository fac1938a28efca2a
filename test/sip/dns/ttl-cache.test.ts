/** The DNS cache: entries expire at their own TTL on the injected clock; the least recently used go first. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TtlCache } from '../../../src/sip/dns/ttl-cache.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('TTL cache', () => {
  test('an entry lives exactly its TTL', () => {
    const clock = new ManualClock(1000);
    const cache = new TtlCache<string>(clock, 10);
    cache.set('short', 's', 100);
    cache.set('long', 'l', 5000);
    clock.advance(99);
    assert.equal(cache.get('short'), 's');
    clock.advance(1);
    assert.equal(cache.get('short'), undefined);
    assert.equal(cache.get('long'), 'l');
    clock.advance(4900);
    assert.equal(cache.get('long'), undefined);
    assert.equal(cache.size, 0, 'expired entries are dropped when met');
  });

  test('a TTL of 0 keeps nothing', () => {
    const cache = new TtlCache<number>(new ManualClock(), 10);
    cache.set('k', 1, 0);
    assert.equal(cache.get('k'), undefined);
  });

  test('full, it forgets the entry used least recently', () => {
    const cache = new TtlCache<number>(new ManualClock(), 3);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.set('c', 3, 1000);
    assert.equal(cache.get('a'), 1);
    cache.set('d', 4, 1000);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined, 'b was the least recently used');
    assert.deepEqual([cache.get('a'), cache.get('c'), cache.get('d')], [1, 3, 4]);
  });
});
