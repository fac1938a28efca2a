/** The ordered, case-insensitive header container and header names (RFC 3261 §7.3). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import {
  canonicalHeaderName,
  compactFormOf,
  headerKey,
  isListHeader,
} from '../../../src/sip/headers/names.js';

describe('header names', () => {
  test('compact forms of RFC 3261 and extensions map to the full name', () => {
    const pairs: [string, string][] = [
      ['i', 'Call-ID'],
      ['m', 'Contact'],
      ['e', 'Content-Encoding'],
      ['l', 'Content-Length'],
      ['c', 'Content-Type'],
      ['f', 'From'],
      ['s', 'Subject'],
      ['k', 'Supported'],
      ['t', 'To'],
      ['v', 'Via'],
      ['o', 'Event'],
      ['u', 'Allow-Events'],
      ['r', 'Refer-To'],
      ['b', 'Referred-By'],
      ['x', 'Session-Expires'],
      ['y', 'Identity'],
      ['a', 'Accept-Contact'],
      ['j', 'Reject-Contact'],
      ['d', 'Request-Disposition'],
    ];
    for (const [letter, name] of pairs) {
      assert.equal(canonicalHeaderName(letter), name);
      assert.equal(canonicalHeaderName(letter.toUpperCase()), name);
      assert.equal(compactFormOf(name), letter);
    }
  });

  test('any case maps to the canonical spelling; unknown names keep theirs', () => {
    assert.equal(canonicalHeaderName('MaX-fOrWaRdS'), 'Max-Forwards');
    assert.equal(canonicalHeaderName('cseq'), 'CSeq');
    assert.equal(canonicalHeaderName('www-authenticate'), 'WWW-Authenticate');
    assert.equal(canonicalHeaderName('call-id'), 'Call-ID');
    assert.equal(canonicalHeaderName('NewFangledHeader'), 'NewFangledHeader');
    assert.equal(headerKey('NewFangledHeader'), headerKey('newfangledheader'));
    assert.equal(headerKey('V'), headerKey('via'));
  });

  test('list headers are split, headers with commas in their grammar are not', () => {
    for (const name of [
      'Via',
      'Contact',
      'Route',
      'Record-Route',
      'Path',
      'Accept',
      'Allow',
      'Supported',
      'Require',
    ]) {
      assert.ok(isListHeader(headerKey(name)), name);
    }
    for (const name of [
      'WWW-Authenticate',
      'Authorization',
      'Proxy-Authenticate',
      'Proxy-Authorization',
      'Date',
      'From',
      'To',
      'Call-ID',
      'X-Unknown',
    ]) {
      assert.equal(isListHeader(headerKey(name)), false, name);
    }
  });
});

describe('SipHeaders', () => {
  test('keeps order; look-ups ignore case and compact forms', () => {
    const headers = SipHeaders.of([
      ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
      ['From', '<sip:a@x>;tag=1'],
      ['VIA', 'SIP/2.0/UDP b;branch=z9hG4bK2'],
    ]);
    assert.deepEqual(headers.getAll('via'), [
      'SIP/2.0/UDP a;branch=z9hG4bK1',
      'SIP/2.0/UDP b;branch=z9hG4bK2',
    ]);
    assert.equal(headers.get('f'), '<sip:a@x>;tag=1');
    assert.equal(headers.count('Via'), 2);
    assert.deepEqual(
      headers.fields().map((f) => f.name),
      ['v', 'From', 'VIA'],
    );
    assert.deepEqual(
      [...headers.entries()].map(([name]) => name),
      ['Via', 'From', 'Via'],
    );
  });

  test('values() splits list headers on top-level commas only', () => {
    const headers = SipHeaders.of([
      ['Contact', '"Bell, A." <sip:a@x>, <sip:b@y>'],
      ['m', '<sip:c@z>'],
      ['WWW-Authenticate', 'Digest realm="a", nonce="b"'],
      ['Date', 'Sat, 15 Oct 2005 04:44:56 GMT'],
      ['X-Unknown', 'a, b'],
    ]);
    assert.deepEqual(headers.values('Contact'), ['"Bell, A." <sip:a@x>', '<sip:b@y>', '<sip:c@z>']);
    assert.deepEqual(headers.values('WWW-Authenticate'), ['Digest realm="a", nonce="b"']);
    assert.deepEqual(headers.values('Date'), ['Sat, 15 Oct 2005 04:44:56 GMT']);
    assert.deepEqual(headers.values('X-Unknown'), ['a, b']);
  });

  test('add, prepend, set, setFirst, deleteFirst, delete', () => {
    const headers = SipHeaders.of([
      ['To', '<sip:b@y>'],
      ['Via', 'SIP/2.0/UDP b'],
      ['Route', '<sip:r1>'],
      ['Via', 'SIP/2.0/UDP c'],
    ]);
    headers.prepend('Via', 'SIP/2.0/UDP a');
    assert.deepEqual(headers.getAll('Via'), ['SIP/2.0/UDP a', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
    assert.equal(headers.fields()[1]?.value, 'SIP/2.0/UDP a', 'inserted before the first Via');
    headers.prepend('Record-Route', '<sip:p>');
    assert.equal(headers.fields()[0]?.name, 'Record-Route', 'no Record-Route yet: at the top');
    headers.set('via', 'SIP/2.0/TCP z');
    assert.deepEqual(headers.getAll('Via'), ['SIP/2.0/TCP z']);
    assert.equal(headers.fields()[2]?.value, 'SIP/2.0/TCP z', 'where the first Via was');
    headers.add('Route', '<sip:r2>');
    assert.ok(headers.setFirst('route', '<sip:r0>'));
    assert.deepEqual(headers.getAll('Route'), ['<sip:r0>', '<sip:r2>']);
    assert.ok(headers.deleteFirst('Route'));
    assert.deepEqual(headers.getAll('Route'), ['<sip:r2>']);
    assert.equal(headers.delete('Route'), 1);
    assert.equal(headers.has('Route'), false);
    assert.equal(headers.deleteFirst('Route'), false);
    assert.equal(headers.setFirst('Route', 'x'), false);
    headers.set('Subject', 'new');
    assert.equal(headers.fields().at(-1)?.name, 'Subject');
  });

  test('refuses names that are not tokens and values with line breaks', () => {
    const headers = new SipHeaders();
    assert.throws(() => {
      headers.add('Bad Name', 'x');
    }, TypeError);
    assert.throws(() => {
      headers.add('', 'x');
    }, TypeError);
    assert.throws(() => {
      headers.add('X-Injected', 'a\r\nVia: evil');
    }, TypeError);
    assert.throws(() => {
      headers.set('X', 'a\nb');
    }, TypeError);
  });

  test('decoded values are remembered per field until it changes', () => {
    const headers = SipHeaders.of([['Max-Forwards', '70']]);
    let calls = 0;
    const decoder = (value: string): number => {
      calls++;
      return Number(value);
    };
    assert.equal(headers.decodeFirst('Max-Forwards', decoder), 70);
    assert.equal(headers.decodeFirst('max-forwards', decoder), 70);
    assert.equal(calls, 1);
    headers.set('Max-Forwards', '69');
    assert.equal(headers.decodeFirst('Max-Forwards', decoder), 69);
    assert.equal(calls, 2);
    assert.equal(headers.decodeFirst('Expires', decoder), undefined);
  });

  test('clone is independent', () => {
    const headers = SipHeaders.of([['Subject', 'a']]);
    const copy = headers.clone();
    copy.set('Subject', 'b');
    assert.equal(headers.get('Subject'), 'a');
    assert.equal(copy.get('Subject'), 'b');
  });
});
