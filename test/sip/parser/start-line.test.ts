/** Request-Line and Status-Line (RFC 3261 §7.1, §7.2). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkVersion, parseStartLine } from '../../../src/sip/parser/start-line.js';

test('request lines keep the method as written and everything between the spaces as the URI', () => {
  assert.deepEqual(parseStartLine('INVITE sip:bob@biloxi.com SIP/2.0'), {
    kind: 'request',
    method: 'INVITE',
    uriText: 'sip:bob@biloxi.com',
    version: 'SIP/2.0',
  });
  assert.deepEqual(parseStartLine('INVITE  sip:user@example.com  SIP/2.0'), {
    kind: 'request',
    method: 'INVITE',
    uriText: ' sip:user@example.com ',
    version: 'SIP/2.0',
  });
});

test('trailing whitespace is ignored (RFC 4475 §3.1.2.10)', () => {
  assert.equal(parseStartLine('OPTIONS sip:x SIP/2.0  \t').kind, 'request');
});

test('status lines: three digits 100-699, any reason, even none (RFC 4475 §3.1.1.12, §3.1.1.13)', () => {
  assert.deepEqual(parseStartLine('SIP/2.0 200 = 2**3 * 5**2 но сто'), {
    kind: 'response',
    status: 200,
    reason: '= 2**3 * 5**2 но сто',
  });
  assert.deepEqual(parseStartLine('SIP/2.0 100 '), { kind: 'response', status: 100, reason: '' });
  assert.deepEqual(parseStartLine('sip/2.0 180'), { kind: 'response', status: 180, reason: '' });
  for (const bad of [
    'SIP/2.0 4294967301 better not break the receiver',
    'SIP/2.0 20 OK',
    'SIP/2.0 700 x',
    'SIP/2.0 099 x',
    'SIP/2.0',
    'SIP/3.0 200 OK',
    'SIP/2.0 2x0 OK',
  ]) {
    assert.equal(parseStartLine(bad).kind, 'unrecognized', bad);
  }
});

test('anything that is not token SP ... SP SIP/... is unrecognized', () => {
  for (const bad of [
    '',
    'GET / HTTP/1.1',
    'hello',
    'INV ITE',
    'IN"VITE sip:x SIP/2.0',
    '\u0000\u0001 x SIP/2.0',
    ' INVITE sip:x SIP/2.0',
  ]) {
    assert.equal(parseStartLine(bad).kind, 'unrecognized', bad);
  }
});

test('versions', () => {
  assert.equal(checkVersion('SIP/2.0'), 'ok');
  assert.equal(checkVersion('sip/2.0'), 'ok');
  assert.equal(checkVersion('SIP/7.0'), 'unsupported');
  assert.equal(checkVersion('SIP/2.00'), 'unsupported');
  assert.equal(checkVersion('SIP/2'), 'malformed');
  assert.equal(checkVersion('SIP/x.y'), 'malformed');
});
