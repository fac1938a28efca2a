/** HTTP Digest computations: RFC 2617 / RFC 7616 known-answer vectors and the MSRP relay's use (relay spec §2.5). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  computeDigestResponse,
  computeHa1,
  DIGEST_ALGORITHMS,
  digestHash,
  parseDigestAlgorithm,
} from '../../src/auth/digest.js';

describe('known-answer vectors', () => {
  // RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
  const rfc7616 = {
    username: 'Mufasa',
    password: 'Circle of Life',
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    nc: '00000001',
    method: 'GET',
    uri: '/dir/index.html',
  };

  test('RFC 7616 §3.9.1, MD5', () => {
    const ha1 = computeHa1('MD5', rfc7616.username, rfc7616.realm, rfc7616.password);
    const response = computeDigestResponse({ algorithm: 'MD5', ha1, ...rfc7616 });
    assert.equal(response, '8ca523f5e9506fed4657c9700eebdbec');
  });

  test('RFC 7616 §3.9.1, SHA-256', () => {
    const ha1 = computeHa1('SHA-256', rfc7616.username, rfc7616.realm, rfc7616.password);
    const response = computeDigestResponse({ algorithm: 'SHA-256', ha1, ...rfc7616 });
    assert.equal(response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  test('RFC 2617 §3.5', () => {
    const ha1 = computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = computeDigestResponse({
      algorithm: 'MD5',
      ha1,
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      nc: '00000001',
      cnonce: '0a4f113b',
      method: 'GET',
      uri: '/dir/index.html',
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });

  test('the hash functions themselves (RFC 1321 / FIPS 180-2 test strings)', () => {
    assert.equal(digestHash('MD5', ''), 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(digestHash('MD5', 'abc'), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(
      digestHash('SHA-256', 'abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // Text is hashed as UTF-8 (RFC 7616 §3.4.4): "é" is C3 A9 (md5sum: 66dd…), not latin1 E9 (3406…).
    assert.equal(digestHash('MD5', '\u00e9'), '66ddcd97cfdeabb2f6fb8a999b4bc76f');
  });
});

describe('the MSRP relay digest (relay spec §2.5 steps 7 and 12)', () => {
  // alice@example.com = 1234, digest-uri = the AUTH To-Path text.
  const ha1 = computeHa1('MD5', 'alice', 'example.com', '1234');
  const input = {
    algorithm: 'MD5' as const,
    ha1,
    nonce: 'bm9uY2U=',
    nc: '00000001',
    cnonce: 'c0ffee',
    uri: 'msrp://example.com;tcp',
  };

  test('HA1 = MD5(username:realm:password)', () => {
    assert.equal(ha1, 'fd7cab2287702c763e7b318b7fb2451a'); // printf 'alice:example.com:1234' | md5sum
  });

  test('response = MD5(HA1:nonce:nc:cnonce:auth:MD5("AUTH:" digest-uri)), lower-case hex', () => {
    const expected = digestHash(
      'MD5',
      `${ha1}:bm9uY2U=:00000001:c0ffee:auth:${digestHash('MD5', 'AUTH:msrp://example.com;tcp')}`,
    );
    assert.equal(computeDigestResponse({ ...input, method: 'AUTH' }), expected);
  });

  test('rspauth uses an empty method: MD5(":" digest-uri)', () => {
    const expected = digestHash(
      'MD5',
      `${ha1}:bm9uY2U=:00000001:c0ffee:auth:${digestHash('MD5', ':msrp://example.com;tcp')}`,
    );
    const rspauth = computeDigestResponse({ ...input, method: '' });
    assert.equal(rspauth, expected);
    assert.notEqual(rspauth, computeDigestResponse({ ...input, method: 'AUTH' }));
  });

  test('every input changes the response', () => {
    const base = computeDigestResponse({ ...input, method: 'AUTH' });
    const variants = [
      { ...input, method: 'AUTH', ha1: computeHa1('MD5', 'alice', 'example.com', '12345') },
      { ...input, method: 'AUTH', nonce: 'bm9uY2V=' },
      { ...input, method: 'AUTH', nc: '00000002' },
      { ...input, method: 'AUTH', cnonce: 'c0ffef' },
      { ...input, method: 'AUTH', uri: 'msrp://example.com:2855;tcp' },
      { ...input, method: 'SEND' },
      { ...input, method: 'AUTH', algorithm: 'SHA-256' as const },
    ];
    for (const variant of variants)
      assert.notEqual(computeDigestResponse(variant), base, JSON.stringify(variant));
  });
});

describe('parseDigestAlgorithm', () => {
  test('absent means MD5 (RFC 7616 §3.3); names are case-insensitive', () => {
    assert.equal(parseDigestAlgorithm(undefined), 'MD5');
    assert.equal(parseDigestAlgorithm('MD5'), 'MD5');
    assert.equal(parseDigestAlgorithm('md5'), 'MD5');
    assert.equal(parseDigestAlgorithm('SHA-256'), 'SHA-256');
    assert.equal(parseDigestAlgorithm('sha-256'), 'SHA-256');
  });

  test('unsupported algorithms are undefined', () => {
    for (const name of ['', 'MD5-sess', 'SHA-256-sess', 'SHA-512-256', 'SHA256', 'sha-1']) {
      assert.equal(parseDigestAlgorithm(name), undefined, name);
    }
  });

  test('DIGEST_ALGORITHMS lists the supported ones', () => {
    assert.deepEqual([...DIGEST_ALGORITHMS], ['MD5', 'SHA-256']);
  });
});
