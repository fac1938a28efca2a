/**
 * RFC 3263 §4 target selection over a zone in memory: numeric hosts, explicit ports and transports, NAPTR
 * then SRV then A/AAAA, the fallbacks, the transports offered, and the bound on a location's time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LocatedTarget, SipLocator, type SipLocatorOptions } from '../../../src/sip/dns/locator.js';
import { SipUri } from '../../../src/sip/uri.js';
import { ManualClock } from '../../support/manual-clock.js';
import { MemoryZone, naptr } from './zone.js';

function uri(text: string): SipUri {
  const parsed = SipUri.parse(text);
  if (parsed === undefined) throw new Error(`bad URI ${text}`);
  return parsed;
}

function locator(zone: MemoryZone, options: SipLocatorOptions = {}): SipLocator {
  // random() = 0 picks the first record of each weighted draw: orders are deterministic here.
  return new SipLocator({ resolver: zone, clock: new ManualClock(), random: () => 0, ...options });
}

function short(targets: readonly LocatedTarget[]): string[] {
  return targets.map((t) => `${t.transport}:${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`);
}

/** example.test as RFC 3263 §4.1's example has it: NAPTR for TCP then UDP, SRV for both, two hosts. */
function exampleZone(): MemoryZone {
  const zone = new MemoryZone();
  zone.naptr.set('example.test', [
    naptr(50, 50, 'SIP+D2U', '_sip._udp.example.test'),
    naptr(90, 50, 'SIPS+D2T', '_sips._tcp.example.test'),
    naptr(40, 50, 'SIP+D2T', '_sip._tcp.example.test'),
  ]);
  zone.srv.set('_sip._tcp.example.test', [
    { name: 'backup.example.test', port: 5070, priority: 20, weight: 0 },
    { name: 'main.example.test', port: 5060, priority: 10, weight: 0 },
  ]);
  zone.srv.set('_sip._udp.example.test', [{ name: 'main.example.test', port: 5060, priority: 0, weight: 0 }]);
  zone.srv.set('_sips._tcp.example.test', [
    { name: 'main.example.test', port: 5061, priority: 0, weight: 0 },
  ]);
  zone.host('main.example.test', ['192.0.2.10', '2001:db8::10']);
  zone.host('backup.example.test', ['192.0.2.20']);
  return zone;
}

describe('RFC 3263 locator', () => {
  test('a numeric host is its own target, asking DNS nothing', async () => {
    const zone = new MemoryZone();
    const locate = locator(zone);
    assert.deepEqual(short(await locate.locate(uri('sip:bob@192.0.2.7'))), ['udp:192.0.2.7:5060']);
    assert.deepEqual(short(await locate.locate(uri('sip:bob@192.0.2.7:5080;transport=tcp'))), [
      'tcp:192.0.2.7:5080',
    ]);
    assert.deepEqual(short(await locate.locate(uri('sips:bob@[2001:db8::1]'))), ['tls:[2001:db8::1]:5061']);
    assert.deepEqual(zone.asked, []);
  });

  test('NAPTR picks the transport and SRV name; SRV priorities order the hosts; each host gives its addresses', async () => {
    const zone = exampleZone();
    const targets = await locator(zone).locate(uri('sip:bob@example.test'));
    assert.deepEqual(short(targets), [
      'tcp:192.0.2.10:5060',
      'tcp:[2001:db8::10]:5060',
      'tcp:192.0.2.20:5070',
    ]);
  });

  test('a SIPS URI only uses SIPS services; TLS is checked against the URI’s domain, not the SRV target', async () => {
    const targets = await locator(exampleZone()).locate(uri('sips:bob@example.test'));
    assert.deepEqual(short(targets), ['tls:192.0.2.10:5061', 'tls:[2001:db8::10]:5061']);
    assert.deepEqual(
      targets.map((target) => target.serverName),
      ['example.test', 'example.test'],
    );
    const numeric = await locator(exampleZone()).locate(uri('sips:bob@192.0.2.10'));
    assert.equal(numeric[0]?.serverName, undefined, 'no name to check for an address');
  });

  test('NAPTR services over transports not offered are skipped', async () => {
    const targets = await locator(exampleZone()).locate(uri('sip:bob@example.test'), ['udp']);
    assert.deepEqual(short(targets), ['udp:192.0.2.10:5060', 'udp:[2001:db8::10]:5060']);
  });

  test('a NAPTR service whose SRV name has no records gives way to the next', async () => {
    const zone = exampleZone();
    zone.srv.delete('_sip._tcp.example.test');
    assert.deepEqual(short(await locator(zone).locate(uri('sip:bob@example.test'))), [
      'udp:192.0.2.10:5060',
      'udp:[2001:db8::10]:5060',
    ]);
  });

  test('an explicit transport skips NAPTR and asks that transport’s SRV name', async () => {
    const zone = exampleZone();
    const targets = await locator(zone, { families: [4] }).locate(uri('sip:bob@example.test;transport=udp'));
    assert.deepEqual(short(targets), ['udp:192.0.2.10:5060']);
    assert.equal(zone.count('NAPTR example.test'), 0);
  });

  test('an explicit port means A/AAAA only', async () => {
    const zone = exampleZone();
    const targets = await locator(zone).locate(uri('sip:bob@main.example.test:5099;transport=tcp'));
    assert.deepEqual(short(targets), ['tcp:192.0.2.10:5099', 'tcp:[2001:db8::10]:5099']);
    assert.deepEqual(zone.asked.sort(), ['A main.example.test', 'AAAA main.example.test']);
  });

  test('without NAPTR, the SRV names are tried: UDP, then TCP, then TLS', async () => {
    const zone = new MemoryZone();
    zone.srv.set('_sip._tcp.srv-only.test', [
      { name: 'sip.srv-only.test', port: 5090, priority: 1, weight: 1 },
    ]);
    zone.srv.set('_sips._tcp.srv-only.test', [
      { name: 'sip.srv-only.test', port: 5091, priority: 1, weight: 1 },
    ]);
    zone.host('sip.srv-only.test', ['192.0.2.30']);
    const locate = locator(zone);
    assert.deepEqual(short(await locate.locate(uri('sip:bob@srv-only.test'))), ['tcp:192.0.2.30:5090']);
    assert.deepEqual(short(await locate.locate(uri('sips:bob@srv-only.test'))), ['tls:192.0.2.30:5091']);
  });

  test('without NAPTR or SRV, the domain’s own addresses on the default port: UDP for SIP, TLS for SIPS', async () => {
    const zone = new MemoryZone().host('plain.test', ['192.0.2.40']);
    const locate = locator(zone);
    assert.deepEqual(short(await locate.locate(uri('sip:bob@plain.test'))), ['udp:192.0.2.40:5060']);
    assert.deepEqual(short(await locate.locate(uri('sips:bob@plain.test'))), ['tls:192.0.2.40:5061']);
    assert.deepEqual(short(await locate.locate(uri('sip:bob@plain.test'), ['tcp'])), ['tcp:192.0.2.40:5060']);
  });

  test('nothing known, or a transport not offered, gives no target', async () => {
    const locate = locator(new MemoryZone().host('plain.test', ['192.0.2.40']));
    assert.deepEqual(await locate.locate(uri('sip:bob@unknown.test')), []);
    assert.deepEqual(await locate.locate(uri('sip:bob@plain.test;transport=sctp')), []);
    assert.deepEqual(await locate.locate(uri('sips:bob@plain.test;transport=udp')), []);
    assert.deepEqual(await locate.locate(uri('sip:bob@plain.test;transport=tls'), ['udp', 'tcp']), []);
  });

  test('the same address and port named twice (two SRV records, one host) is one target', async () => {
    const zone = new MemoryZone();
    zone.srv.set('_sip._udp.twice.test', [
      { name: 'a.twice.test', port: 5060, priority: 1, weight: 1 },
      { name: 'b.twice.test', port: 5060, priority: 2, weight: 1 },
      { name: 'c.twice.test', port: 5060, priority: 3, weight: 1 },
    ]);
    zone
      .host('a.twice.test', ['192.0.2.1'])
      .host('b.twice.test', ['192.0.2.1'])
      .host('c.twice.test', ['192.0.2.3']);
    assert.deepEqual(short(await locator(zone).locate(uri('sip:bob@twice.test'))), [
      'udp:192.0.2.1:5060',
      'udp:192.0.2.3:5060',
    ]);
  });

  test('a DNS server that never answers costs at most lookupTimeoutMs', async () => {
    const zone = new MemoryZone();
    zone.silent.add('slow.test');
    zone.silent.add('_sip._udp.slow.test');
    zone.silent.add('_sip._tcp.slow.test');
    zone.silent.add('_sips._tcp.slow.test');
    const clock = new ManualClock();
    const locate = new SipLocator({ resolver: zone, clock, lookupTimeoutMs: 3_000, queryTimeoutMs: 10_000 });
    let targets: LocatedTarget[] | undefined;
    void locate.locate(uri('sip:bob@slow.test')).then((found) => (targets = found));
    while (targets === undefined && clock.now() < 10_000) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(100);
    }
    assert.deepEqual(targets, []);
    assert.ok(clock.now() <= 3_100, `answered at ${clock.now()} ms`);
  });
});
