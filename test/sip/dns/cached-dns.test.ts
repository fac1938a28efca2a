/** DNS answers through the cache: kept for their TTL, empty answers and failures briefly, slow queries bounded. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CachedDns } from '../../../src/sip/dns/cached-dns.js';
import { ManualClock } from '../../support/manual-clock.js';
import { MemoryZone, naptr } from './zone.js';

function setup(options: { maxTtlMs?: number } = {}): {
  zone: MemoryZone;
  clock: ManualClock;
  dns: CachedDns;
} {
  const zone = new MemoryZone();
  const clock = new ManualClock(1_000_000);
  const dns = new CachedDns({
    resolver: zone,
    clock,
    recordTtlMs: 60_000,
    negativeTtlMs: 5_000,
    queryTimeoutMs: 2_000,
    maxTtlMs: options.maxTtlMs,
  });
  return { zone, clock, dns };
}

describe('cached DNS', () => {
  test('an address answer is kept for its TTL (the smallest of the set), then asked again', async () => {
    const { zone, clock, dns } = setup();
    zone.a.set('sip.test', [
      { address: '192.0.2.1', ttl: 30 },
      { address: '192.0.2.2', ttl: 10 },
    ]);
    zone.aaaa.set('sip.test', [{ address: '2001:db8::1', ttl: 300 }]);
    assert.deepEqual(await dns.addresses('sip.test'), ['192.0.2.1', '192.0.2.2', '2001:db8::1']);
    clock.advance(9_999);
    await dns.addresses('SIP.test.');
    assert.equal(zone.count('A sip.test'), 1, 'names compare without case or trailing dot');
    clock.advance(1);
    await dns.addresses('sip.test');
    assert.equal(zone.count('A sip.test'), 2, 'the A answer expired after 10 s');
    assert.equal(zone.count('AAAA sip.test'), 1, 'the AAAA answer has 300 s');
  });

  test('maxTtlMs caps a long TTL', async () => {
    const { zone, clock, dns } = setup({ maxTtlMs: 1_000 });
    zone.host('sip.test', ['192.0.2.1'], 86_400);
    await dns.addresses('sip.test', [4]);
    clock.advance(1_000);
    await dns.addresses('sip.test', [4]);
    assert.equal(zone.count('A sip.test'), 2);
  });

  test('NAPTR and SRV answers are kept for recordTtlMs (node:dns gives no TTL for them)', async () => {
    const { zone, clock, dns } = setup();
    zone.naptr.set('d.test', [naptr(1, 1, 'SIP+D2U', '_sip._udp.d.test')]);
    zone.srv.set('_sip._udp.d.test', [{ name: 'sip.d.test', port: 5060, priority: 1, weight: 1 }]);
    await dns.naptr('d.test');
    await dns.srv('_sip._udp.d.test');
    clock.advance(59_999);
    await dns.naptr('d.test');
    await dns.srv('_sip._udp.d.test');
    assert.deepEqual([zone.count('NAPTR d.test'), zone.count('SRV _sip._udp.d.test')], [1, 1]);
    clock.advance(1);
    await dns.naptr('d.test');
    assert.equal(zone.count('NAPTR d.test'), 2);
  });

  test('no records is remembered for negativeTtlMs only', async () => {
    const { zone, clock, dns } = setup();
    assert.deepEqual(await dns.srv('_sip._udp.none.test'), []);
    clock.advance(4_999);
    assert.deepEqual(await dns.srv('_sip._udp.none.test'), []);
    assert.equal(zone.count('SRV _sip._udp.none.test'), 1);
    clock.advance(1);
    zone.srv.set('_sip._udp.none.test', [{ name: 'late.test', port: 5060, priority: 1, weight: 1 }]);
    assert.equal(
      (await dns.srv('_sip._udp.none.test')).length,
      1,
      'asked again once the negative entry expired',
    );
  });

  test('questions asked together share one query', async () => {
    const { zone, dns } = setup();
    zone.host('sip.test', ['192.0.2.1']);
    const answers = await Promise.all([dns.addresses('sip.test', [4]), dns.addresses('sip.test', [4])]);
    assert.deepEqual(answers, [['192.0.2.1'], ['192.0.2.1']]);
    assert.equal(zone.count('A sip.test'), 1);
  });

  test('a query unanswered for queryTimeoutMs counts as no records, and is remembered as such', async () => {
    const { zone, clock, dns } = setup();
    zone.silent.add('slow.test');
    let answer: readonly string[] | undefined;
    void dns.addresses('slow.test', [4]).then((addresses) => (answer = addresses));
    clock.advance(1_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answer, undefined, 'still waiting before the timeout');
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(answer, []);
    assert.deepEqual(await dns.addresses('slow.test', [4]), []);
    assert.equal(zone.count('A slow.test'), 1, 'the timeout was cached negatively');
  });
});
