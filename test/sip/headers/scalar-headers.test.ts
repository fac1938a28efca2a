/** CSeq, Call-ID, Content-Length, Max-Forwards, Expires, Content-Type (RFC 3261 §20). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getCallId, isValidCallId } from '../../../src/sip/headers/call-id.js';
import { essence, getContentType, parseMediaType } from '../../../src/sip/headers/content-type.js';
import { formatCSeq, getCSeq, parseCSeq } from '../../../src/sip/headers/cseq.js';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import {
  getExpires,
  getMaxForwards,
  parseContentLength,
  parseDeltaSeconds,
  parseMaxForwards,
} from '../../../src/sip/headers/numeric.js';
import { paramText } from '../../../src/sip/grammar/params.js';

describe('CSeq', () => {
  test('number and method, leading zeros and extra whitespace allowed', () => {
    assert.deepEqual(parseCSeq('0009 INVITE'), { seq: 9, method: 'INVITE' });
    assert.deepEqual(parseCSeq('  4294967295   RE%47IST%45R '), { seq: 4294967295, method: 'RE%47IST%45R' });
    assert.equal(formatCSeq({ seq: 1, method: 'MESSAGE' }), '1 MESSAGE');
  });

  test('refuses numbers above 2**32-1 and malformed values (RFC 4475 §3.1.2.4)', () => {
    for (const bad of [
      '36893488147419103232 REGISTER',
      '4294967296 INVITE',
      '-1 INVITE',
      '1',
      'INVITE',
      '1INVITE',
      '1 INVITE x',
      '1 IN VITE',
      '',
    ]) {
      assert.equal(parseCSeq(bad), undefined, bad);
    }
  });

  test('getCSeq reads the first CSeq', () => {
    assert.deepEqual(getCSeq(SipHeaders.of([['CSeq', '7 ACK']])), { seq: 7, method: 'ACK' });
  });
});

describe('Call-ID', () => {
  test('word [@ word] with all the word characters (RFC 4475 §3.1.1.2)', () => {
    assert.ok(isValidCallId('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{'));
    assert.ok(isValidCallId('a84b4c76e66710'));
    for (const bad of ['', 'a b', 'a@', '@b', 'a@b@c', 'a,b']) assert.equal(isValidCallId(bad), false, bad);
    assert.equal(getCallId(SipHeaders.of([['i', 'x@y']])), 'x@y');
    assert.equal(getCallId(SipHeaders.of([['i', 'x y']])), undefined);
  });
});

describe('numbers', () => {
  test('Content-Length: digits only', () => {
    assert.equal(parseContentLength('150'), 150);
    assert.equal(parseContentLength(' 0 '), 0);
    for (const bad of ['-999', 'five', '1e3', '', '1 2', '0x10'])
      assert.equal(parseContentLength(bad), undefined, bad);
  });

  test('Max-Forwards 0..255 with leading zeros (RFC 4475 §3.1.1.1)', () => {
    assert.equal(parseMaxForwards('0068'), 68);
    assert.equal(parseMaxForwards('255'), 255);
    assert.equal(parseMaxForwards('300'), undefined);
    assert.equal(getMaxForwards(SipHeaders.of([['Max-Forwards', '0']])), 0);
    assert.equal(getMaxForwards(new SipHeaders()), undefined);
  });

  test('delta-seconds up to 2**32-1; beyond is invalid, never wrapped', () => {
    assert.equal(parseDeltaSeconds('4294967295'), 4294967295);
    assert.equal(parseDeltaSeconds(`1${'0'.repeat(100)}`), undefined);
    assert.equal(getExpires(SipHeaders.of([['Expires', '3600']])), 3600);
  });
});

describe('Content-Type', () => {
  test('type, subtype lower-cased; parameters', () => {
    const type = parseMediaType('Multipart/Mixed ; boundary=7a9cbec02ceef655;charset="utf-8"');
    assert.ok(type);
    assert.equal(essence(type), 'multipart/mixed');
    assert.equal(type.params.get('boundary'), '7a9cbec02ceef655');
    assert.equal(paramText(type.params.get('charset')), 'utf-8');
    assert.equal(getContentType(SipHeaders.of([['c', 'text/plain']]))?.subtype, 'plain');
  });

  test('refuses malformed media types', () => {
    for (const bad of ['text', 'text/', '/plain', 'text/plain;', 'text plain'])
      assert.equal(parseMediaType(bad), undefined, bad);
  });
});
