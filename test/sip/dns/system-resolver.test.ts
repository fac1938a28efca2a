/**
 * The default resolver against a real DNS server (dnsmasq): records with their TTL from DNS, and a name DNS
 * does not resolve (`localhost`) from getaddrinfo (/etc/hosts), as the transport resolved host names before.
 * No name here makes getaddrinfo ask the machine's DNS servers: localhost is in /etc/hosts, and a .test name
 * without an AAAA record is ENODATA from dnsmasq, which is not passed on.
 * Then the whole locator over it: NAPTR → SRV → A from dnsmasq.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SipLocator } from '../../../src/sip/dns/locator.js';
import { SystemResolver } from '../../../src/sip/dns/system-resolver.js';
import { SipUri } from '../../../src/sip/uri.js';
import { Dnsmasq } from '../../interop/harness/dnsmasq.js';
import { missingPeers } from '../../interop/harness/tools.js';

describe('SystemResolver over dnsmasq', { skip: missingPeers(['dnsmasq']) ?? false }, () => {
  let dns: Dnsmasq;
  let resolver: SystemResolver;

  before(async () => {
    dns = await Dnsmasq.start({
      ttl: 42,
      naptr: [
        {
          name: 'zone.test',
          order: 1,
          preference: 1,
          service: 'SIPS+D2T',
          replacement: '_sips._tcp.zone.test',
        },
      ],
      srv: [
        { name: '_sips._tcp.zone.test', target: 'b.zone.test', port: 5062, priority: 2, weight: 1 },
        { name: '_sips._tcp.zone.test', target: 'a.zone.test', port: 5061, priority: 1, weight: 1 },
      ],
      hosts: { 'a.zone.test': ['192.0.2.1', '2001:db8::1'], 'b.zone.test': ['192.0.2.2'] },
    });
    resolver = new SystemResolver({ servers: [`127.0.0.1:${String(dns.port)}`], lookupTtlSeconds: 7 });
  });

  after(async () => {
    await dns.stop();
  });

  test('A and AAAA come with the TTL the server gave', async () => {
    assert.deepEqual(await resolver.resolve4('a.zone.test', { ttl: true }), [
      { address: '192.0.2.1', ttl: 42 },
    ]);
    assert.deepEqual(await resolver.resolve6('a.zone.test', { ttl: true }), [
      { address: '2001:db8::1', ttl: 42 },
    ]);
  });

  test('a name DNS does not resolve falls back to getaddrinfo (/etc/hosts), with the configured TTL', async () => {
    const records = await resolver.resolve4('localhost', { ttl: true });
    assert.ok(
      records.some((record) => record.address === '127.0.0.1' && record.ttl === 7),
      JSON.stringify(records),
    );
  });

  test('a name DNS knows without records of a family is not asked of getaddrinfo', async () => {
    await assert.rejects(resolver.resolve6('b.zone.test', { ttl: true }), { code: 'ENODATA' });
  });

  test('the locator over it: NAPTR (SIPS+D2T) → SRV in priority order → addresses, IPv4 first, TLS checked against the domain', async () => {
    const locator = new SipLocator({ resolver });
    const targets = await locator.locate(SipUri.parse('sip:alice@zone.test') as SipUri);
    assert.deepEqual(targets, [
      { transport: 'tls', host: '192.0.2.1', port: 5061, serverName: 'zone.test' },
      { transport: 'tls', host: '2001:db8::1', port: 5061, serverName: 'zone.test' },
      { transport: 'tls', host: '192.0.2.2', port: 5062, serverName: 'zone.test' },
    ]);
  });
});
