/** Pushing, popping and stamping Vias (RFC 3261 §16.6, §16.7, §18.2.1; RFC 3581). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import { getTopVia, getVias } from '../../../src/sip/headers/via.js';
import { unsupportedOptionTags } from '../../../src/sip/message/extensions.js';
import { popVia, pushVia, stampVia } from '../../../src/sip/message/via-stack.js';
import { requestArb } from '../arbitraries.js';

describe('push and pop', () => {
  test('push goes on top; pop removes one value at a time', () => {
    const headers = SipHeaders.of([
      ['To', '<sip:b@y>'],
      ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'],
      ['Via', 'SIP/2.0/UDP c;branch=z9hG4bK3'],
    ]);
    pushVia(headers, 'SIP/2.0/TCP proxy;branch=z9hG4bKp');
    assert.deepEqual(
      getVias(headers)?.map((v) => v.host),
      ['proxy', 'a', 'b', 'c'],
    );
    const hosts: string[] = [];
    while (popVia(headers)) hosts.push(getTopVia(headers)?.host ?? '-');
    assert.deepEqual(hosts, ['a', 'b', 'c', '-']);
    assert.equal(headers.has('Via'), false);
  });
});

describe('stampVia', () => {
  const headersWith = (via: string): SipHeaders =>
    SipHeaders.of([['Via', `${via}, SIP/2.0/UDP next;branch=z9hG4bK9`]]);

  test('received added when the sent-by host is not the source address (RFC 3261 §18.2.1)', () => {
    const headers = headersWith('SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7');
    assert.ok(stampVia(headers, { address: '192.0.2.4', port: 5060 }));
    const top = getTopVia(headers);
    assert.equal(top?.received, '192.0.2.4');
    assert.equal(top.rport, undefined);
    assert.equal(getVias(headers)?.[1]?.host, 'next', 'the rest of the field is kept');
  });

  test('nothing changes when the host is the source address', () => {
    const headers = headersWith('SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7');
    const before = headers.get('Via');
    assert.ok(stampVia(headers, { address: '192.0.2.4', port: 5060 }));
    assert.equal(headers.get('Via'), before);
  });

  test('an empty rport gets the source port, and received always (RFC 3581 §4)', () => {
    const headers = headersWith('SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff');
    stampVia(headers, { address: '10.1.1.1', port: 9988 });
    const top = getTopVia(headers);
    assert.equal(top?.rport, 9988);
    assert.equal(top.received, '10.1.1.1');
    assert.equal(top.branch, 'z9hG4bKkjshdyff');
  });

  test('IPv6 sources compare in canonical form', () => {
    const headers = headersWith('SIP/2.0/TCP [2001:DB8::1];branch=z9hG4bK1');
    stampVia(headers, { address: '2001:db8:0:0::1', port: 5060 });
    assert.equal(getTopVia(headers)?.received, undefined);
  });

  test('false when there is no well-formed top Via', () => {
    assert.equal(stampVia(SipHeaders.of([['Via', 'nonsense']]), { address: '192.0.2.1', port: 1 }), false);
  });
});

test('unsupportedOptionTags: what a 420 lists (RFC 4475 §3.3.5)', () => {
  const headers = SipHeaders.of([
    ['Require', 'nothingSupportsThis, nothingSupportsThisEither'],
    ['Require', 'timer'],
    ['Proxy-Require', 'noProxiesSupportThis, norDoAnyProxiesSupportThis'],
  ]);
  assert.deepEqual(unsupportedOptionTags(headers, 'Require', new Set(['timer'])), [
    'nothingSupportsThis',
    'nothingSupportsThisEither',
  ]);
  assert.deepEqual(unsupportedOptionTags(headers, 'Proxy-Require', new Set()), [
    'noProxiesSupportThis',
    'norDoAnyProxiesSupportThis',
  ]);
  assert.deepEqual(unsupportedOptionTags(new SipHeaders(), 'Require', new Set()), []);
});

test('stampVia remembers the stamped Via as decoded: the same Via the written value parses to', () => {
  fc.assert(
    fc.property(
      requestArb,
      fc.oneof(fc.ipV4(), fc.ipV6()),
      fc.integer({ min: 1, max: 65535 }),
      (request, address, port) => {
        const headers = request.headers.clone();
        assert.ok(stampVia(headers, { address, port }));
        const fresh = SipHeaders.of([['Via', headers.get('Via') ?? '']]);
        assert.deepEqual(getTopVia(headers), getTopVia(fresh));
      },
    ),
    { numRuns: 300 },
  );
});
