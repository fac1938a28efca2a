/** Header parameters and hosts (RFC 3261 §25.1). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatHost, formatHostPort, normalizeHost, scanHostPort } from '../../../src/sip/grammar/host.js';
import { formatParams, paramText, parseParams, scanParams } from '../../../src/sip/grammar/params.js';

describe('params', () => {
  test('names lower-cased, values as written, valueless as null, first occurrence wins', () => {
    const params = parseParams(';Tag=AbC;lr;q=0.5;tag=second');
    assert.ok(params);
    assert.deepEqual(
      [...params],
      [
        ['tag', 'AbC'],
        ['lr', null],
        ['q', '0.5'],
      ],
    );
  });

  test('whitespace around ; and = (RFC 4475 §3.1.1.1)', () => {
    assert.deepEqual(
      [...(parseParams(' ;   tag    = 1918181833n ; x') ?? [])],
      [
        ['tag', '1918181833n'],
        ['x', null],
      ],
    );
  });

  test('quoted, IPv6 reference and IPv6 address values', () => {
    const params = parseParams(';a="x, y; z";b=[2001:db8::1];received=2001:db8::9');
    assert.ok(params);
    assert.equal(params.get('a'), '"x, y; z"');
    assert.equal(paramText(params.get('a')), 'x, y; z');
    assert.equal(params.get('b'), '[2001:db8::1]');
    assert.equal(params.get('received'), '2001:db8::9');
  });

  test('a ; without a parameter, or = without a value, is malformed', () => {
    for (const bad of [';', ';;', ';a=', ';a;;b', ';=x', ';a="open'])
      assert.equal(parseParams(bad), undefined, bad);
  });

  test('scanning stops at the first character that is not a parameter', () => {
    const into = new Map<string, string | null>();
    const text = ';branch=z9hG4bK1 , SIP/2.0/UDP b';
    assert.equal(scanParams(text, 0, into), text.indexOf(','));
  });

  test('format gives back what parse read', () => {
    const text = ';tag=1;lr;x="a b"';
    assert.equal(formatParams(parseParams(text) ?? new Map()), text);
  });
});

describe('host and port', () => {
  test('hostname, IPv4 and IPv6 reference, optional port', () => {
    assert.deepEqual(scanHostPort('example.com:5060;x', 0), { host: 'example.com', port: 5060, end: 16 });
    assert.deepEqual(scanHostPort('192.0.2.1', 0), { host: '192.0.2.1', port: undefined, end: 9 });
    assert.deepEqual(scanHostPort('[2001:db8::1]:5061', 0), { host: '2001:db8::1', port: 5061, end: 18 });
  });

  test('refuses bad IPv6, empty hosts, ports above 65535 and a colon without a port', () => {
    for (const bad of ['[::g]', '[::1', '', ':5060', 'a:65536', 'a:', '-a.com', 'a..b']) {
      assert.equal(scanHostPort(bad, 0)?.end === bad.length ? 'accepted' : 'refused', 'refused', bad);
    }
  });

  test('formatting puts IPv6 brackets back', () => {
    assert.equal(formatHost('::1'), '[::1]');
    assert.equal(formatHostPort('2001:db8::1', 5060), '[2001:db8::1]:5060');
    assert.equal(formatHostPort('example.com', undefined), 'example.com');
  });

  test('normalized hosts: case-insensitive, IPv6 in canonical form', () => {
    assert.equal(normalizeHost('Example.COM'), 'example.com');
    assert.equal(normalizeHost('2001:DB8:0:0::1'), normalizeHost('2001:db8::1'));
  });
});
