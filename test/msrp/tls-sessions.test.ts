import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TlsSessionCache } from '../../src/msrp/relay/tls-sessions.js';

test('the next-hop TLS session cache keeps the newest sessions up to its capacity', () => {
  const cache = new TlsSessionCache(2);
  cache.set('a', Buffer.from('1'));
  cache.set('b', Buffer.from('2'));
  cache.set('a', Buffer.from('3')); // a is now the newest
  cache.set('c', Buffer.from('4')); // b, the oldest, goes
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a')?.toString(), '3');
  assert.equal(cache.get('c')?.toString(), '4');
  cache.evict('a');
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.size, 1);
});
