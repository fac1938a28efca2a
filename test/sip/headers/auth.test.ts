/** Authorization and challenges in SIP messages, through src/auth's parser (RFC 3261 §22). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findDigestCredentials,
  formatDigestChallenge,
  getChallenges,
  getCredentials,
} from '../../../src/sip/headers/auth.js';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';

const AUTHORIZATION =
  'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", ' +
  'qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

test('credentials per field, never split on their commas; unknown schemes skipped (RFC 4475 §3.3.7)', () => {
  const headers = SipHeaders.of([
    ['Authorization', 'NoOneKnowsThisScheme opaque-data=here'],
    ['Authorization', AUTHORIZATION],
    ['Proxy-Authorization', 'Digest username="x", realm="other", nonce="n", uri="sip:a", response="r"'],
  ]);
  const credentials = getCredentials(headers, 'Authorization');
  assert.equal(credentials.length, 1);
  assert.equal(
    findDigestCredentials(headers, 'Authorization', 'biloxi.com')?.get('uri'),
    'sip:bob@biloxi.com',
  );
  assert.equal(findDigestCredentials(headers, 'Authorization', 'other'), undefined);
  assert.equal(findDigestCredentials(headers, 'Proxy-Authorization', 'other')?.get('username'), 'x');
});

test('challenges written and read back', () => {
  const value = formatDigestChallenge({
    realm: 'atlanta.com',
    nonce: 'a"b',
    algorithm: 'SHA-256',
    opaque: 'o',
    stale: true,
  });
  assert.equal(
    value,
    'Digest realm="atlanta.com", nonce="a\\"b", opaque="o", algorithm=SHA-256, qop="auth", stale=true',
  );
  const [challenge] = getChallenges(SipHeaders.of([['WWW-Authenticate', value]]), 'WWW-Authenticate');
  assert.ok(challenge?.scheme === 'digest');
  assert.equal(challenge.params.get('nonce'), 'a"b');
  assert.equal(challenge.params.get('qop'), 'auth');
  assert.equal(formatDigestChallenge({ realm: 'r', nonce: 'n', qop: false }), 'Digest realm="r", nonce="n"');
});
