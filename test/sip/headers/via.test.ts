/** Via (RFC 3261 §20.42, RFC 3581). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import {
  createVia,
  formatVia,
  getTopVia,
  getVias,
  isRfc3261Branch,
  parseVia,
  parseViaList,
} from '../../../src/sip/headers/via.js';

describe('parseVia', () => {
  test('protocol, transport, sent-by and the typed parameters', () => {
    const via = parseVia(
      'SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5060;ttl=16;maddr=224.2.0.1',
    );
    assert.ok(via);
    assert.deepEqual(
      [
        via.protocol,
        via.version,
        via.transport,
        via.host,
        via.port,
        via.branch,
        via.received,
        via.rport,
        via.ttl,
        via.maddr,
      ],
      ['SIP', '2.0', 'UDP', 'pc33.atlanta.com', 5066, 'z9hG4bK776asdhds', '192.0.2.1', 5060, 16, '224.2.0.1'],
    );
  });

  test('rport without a value is null; absent is undefined (RFC 3581)', () => {
    assert.equal(parseVia('SIP/2.0/UDP h;rport;branch=z9hG4bKx')?.rport, null);
    assert.equal(parseVia('SIP/2.0/UDP h;branch=z9hG4bKx')?.rport, undefined);
  });

  test('whitespace around / : ; = as the grammar allows (RFC 4475 §3.1.1.1)', () => {
    const via = parseVia('SIP  /   2.0 /UDP     192.0.2.2;branch=390skdjuw');
    assert.deepEqual([via?.transport, via?.host, via?.branch], ['UDP', '192.0.2.2', '390skdjuw']);
    const spaced = parseVia('sip / 2.0 / tcp host.example.com : 5060 ; branch = z9hG4bK9ikj8');
    assert.deepEqual(
      [spaced?.protocol, spaced?.transport, spaced?.port, spaced?.branch],
      ['SIP', 'TCP', 5060, 'z9hG4bK9ikj8'],
    );
  });

  test('IPv6 sent-by and received', () => {
    const via = parseVia('SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bK1;received=2001:db8::9:255');
    assert.deepEqual([via?.host, via?.port, via?.received], ['2001:db8::9:1', 5061, '2001:db8::9:255']);
  });

  test('refuses malformed values', () => {
    const bad = [
      'SIP/2.0/UDP',
      'SIP/2.0 UDP host',
      'SIP/2.0/UDPhost',
      'SIP/2.0/UDP host;;',
      'SIP/2.0/UDP 192.0.2.15;;',
      'SIP/2.0/UDP host;branch',
      'SIP/2.0/UDP host;branch="quoted"',
      'SIP/2.0/UDP host;rport=70000',
      'SIP/2.0/UDP host;rport=abc',
      'SIP/2.0/UDP host;ttl=256',
      'SIP/2.0/UDP host;received',
      'SIP/2.0/UDP host:;branch=x',
      'SIP/2.0/UDP [::zz]',
      'SIP/2.0/UDP host extra',
      '',
    ];
    for (const text of bad) assert.equal(parseVia(text), undefined, text);
  });

  test('lists: comma-separated via-parms, every one must be valid (RFC 4475 §3.1.2.1)', () => {
    const list = parseViaList(
      'SIP/2.0/TCP spindle.example.com ; branch = z9hG4bK9ikj8 , SIP / 2.0 / UDP 192.168.255.111 ; branch= z9hG4bK30239',
    );
    assert.deepEqual(
      list?.map((v) => v.host),
      ['spindle.example.com', '192.168.255.111'],
    );
    assert.equal(parseViaList('SIP/2.0/UDP 192.0.2.15;;,;,,'), undefined);
    assert.equal(parseViaList('SIP/2.0/UDP a;branch=z9hG4bK1,,SIP/2.0/UDP b'), undefined);
  });
});

describe('Via in headers', () => {
  const headers = SipHeaders.of([
    ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'],
    ['v', 'SIP/2.0/TCP c;branch=z9hG4bK3'],
  ]);

  test('top Via and all Vias in order', () => {
    assert.equal(getTopVia(headers)?.host, 'a');
    assert.deepEqual(
      getVias(headers)?.map((v) => v.host),
      ['a', 'b', 'c'],
    );
  });

  test('a malformed top Via reads as undefined; so does a malformed list', () => {
    const bad = SipHeaders.of([['Via', 'garbage, SIP/2.0/UDP b']]);
    assert.equal(getTopVia(bad), undefined);
    assert.equal(getVias(bad), undefined);
    assert.equal(getTopVia(new SipHeaders()), undefined);
  });
});

describe('writing Vias', () => {
  test('createVia: branch first, rport asked for, IPv6 bracketed', () => {
    assert.equal(
      createVia({ transport: 'tcp', host: '2001:db8::1', port: 5060, branch: 'z9hG4bKabc', rport: true }),
      'SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bKabc;rport',
    );
  });

  test('formatVia of a parsed Via reads back the same', () => {
    const via = parseVia('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKxyz;received=192.0.2.9;rport=50341');
    assert.ok(via);
    assert.deepEqual(parseVia(formatVia(via)), via);
  });

  test('isRfc3261Branch wants the magic cookie and something after it (RFC 4475 §3.2.1)', () => {
    assert.ok(isRfc3261Branch('z9hG4bK776asdhds'));
    assert.equal(isRfc3261Branch('z9hG4bK'), false);
    assert.equal(isRfc3261Branch('390skdjuw'), false);
    assert.equal(isRfc3261Branch('Z9HG4BK776'), false);
    assert.equal(isRfc3261Branch(undefined), false);
  });
});
