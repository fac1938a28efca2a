/** RFC 3263 §4.1 NAPTR filtering: SIP services over the transports we have, in order then preference. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectNaptr, type LocatedTransport } from '../../../src/sip/dns/naptr-select.js';
import { naptr } from './zone.js';

const ALL: ReadonlySet<LocatedTransport> = new Set(['udp', 'tcp', 'tls']);

describe('NAPTR selection', () => {
  const records = [
    naptr(50, 50, 'SIP+D2U', '_sip._udp.example.test'),
    naptr(10, 20, 'SIP+D2T', '_sip._tcp.example.test'),
    naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.test'),
    naptr(5, 10, 'SIP+D2S', '_sip._sctp.example.test'),
    naptr(5, 10, 'SIPS+D2W', '_sips._ws.example.test'),
    naptr(1, 1, 'E2U+sip', '!^.*$!sip:info@example.test!', 'u'),
  ];

  test('a SIP URI keeps UDP, TCP and TLS (SIPS+D2T), by order then preference; SCTP, WebSocket and ENUM go', () => {
    assert.deepEqual(selectNaptr(records, false, ALL), [
      { transport: 'tls', srvName: '_sips._tcp.example.test' },
      { transport: 'tcp', srvName: '_sip._tcp.example.test' },
      { transport: 'udp', srvName: '_sip._udp.example.test' },
    ]);
  });

  test('a SIPS URI keeps only SIPS services', () => {
    assert.deepEqual(selectNaptr(records, true, ALL), [
      { transport: 'tls', srvName: '_sips._tcp.example.test' },
    ]);
  });

  test('transports we do not listen on are dropped', () => {
    assert.deepEqual(selectNaptr(records, false, new Set(['udp'])), [
      { transport: 'udp', srvName: '_sip._udp.example.test' },
    ]);
  });

  test('services and flags compare without case; records without the "s" flag or replacement are ignored', () => {
    const mixed = [
      naptr(1, 1, 'sip+d2u', '_sip._udp.example.test', 'S'),
      naptr(2, 1, 'SIP+D2T', '_sip._tcp.example.test', 'a'),
      naptr(3, 1, 'SIP+D2T', '.'),
    ];
    assert.deepEqual(selectNaptr(mixed, false, ALL), [
      { transport: 'udp', srvName: '_sip._udp.example.test' },
    ]);
  });
});
