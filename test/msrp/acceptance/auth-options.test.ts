// missive's AUTH options beyond msrprelay: SHA-256 digests (RFC 7616) next to MD5, HTTP Basic over TLS,
// and uniform failure texts (the default; `uniform_auth_failures = no` brings msrprelay's texts back). Each
// runs against a real relay in both modes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { authRequest, authorization, requestChallenge } from '../harness/auth.js';
import { newCnonce, parseDigestParams } from '../harness/digest.js';
import { header, show } from '../harness/message.js';
import { describeModes } from '../harness/suite.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describeModes(
  'AUTH options: SHA-256 digest, Basic, uniform failures',
  { settings: { digest_algorithms: 'SHA-256, MD5', allow_basic_auth: 'yes', uniform_auth_failures: 'yes' } },
  (s) => {
    test('a 401 offers SHA-256 first, then MD5, then Basic only over TLS', async (t) => {
      const a = await s.scope(t).client();
      await a.write(authRequest({ toUri: s.domainUri, fromUri: s.aUri }));
      const challenge = await a.nextMessage();
      assert.equal(challenge.status, 401, show(challenge));
      const offers = challenge.headers
        .filter(([name]) => name === 'WWW-Authenticate')
        .map(([, value]) => value);
      assert.match(
        offers[0] ?? '',
        /^Digest realm="example.com", qop="auth", nonce="[^"]+", opaque="[0-9a-f]{32}", algorithm=SHA-256$/,
      );
      assert.match(
        offers[1] ?? '',
        /^Digest realm="example.com", qop="auth", nonce="[^"]+", opaque="[0-9a-f]{32}"$/,
      );
      if (s.mode.tls) assert.equal(offers[2], 'Basic realm="example.com"');
      assert.equal(offers.length, s.mode.tls ? 3 : 2);
    });

    test('a SHA-256 digest answer creates a session, with a SHA-256 rspauth', async (t) => {
      const a = await s.scope(t).client();
      await a.write(authRequest({ toUri: s.domainUri, fromUri: s.aUri }));
      const challenge = await a.nextMessage();
      const offer = challenge.headers.find(
        ([name, value]) => name === 'WWW-Authenticate' && value.includes('SHA-256'),
      );
      const params = parseDigestParams(offer?.[1] ?? '');
      const nonce = params.get('nonce') ?? '';
      const cnonce = newCnonce();
      const ha1 = sha256('alice:example.com:1234');
      const response = sha256(`${ha1}:${nonce}:00000001:${cnonce}:auth:${sha256(`AUTH:${s.domainUri}`)}`);
      const authorization =
        `Digest username="alice", realm="example.com", nonce="${nonce}", qop=auth, nc=00000001, ` +
        `cnonce="${cnonce}", response="${response}", opaque="${params.get('opaque') ?? ''}", algorithm=SHA-256`;
      await a.write(
        authRequest({ toUri: s.domainUri, fromUri: s.aUri, headers: [['Authorization', authorization]] }),
      );
      const ok = await a.nextMessage();
      assert.equal(ok.status, 200, show(ok));
      const rspauth = sha256(`${ha1}:${nonce}:00000001:${cnonce}:auth:${sha256(`:${s.domainUri}`)}`);
      assert.equal(
        header(ok, 'Authentication-Info'),
        `qop=auth, cnonce="${cnonce}", nc=00000001, rspauth="${rspauth}"`,
      );
      assert.match(header(ok, 'Use-Path') ?? '', new RegExp(`^${s.mode.scheme}://`));
    });

    test('Basic credentials are accepted over TLS only', async (t) => {
      const a = await s.scope(t).client();
      const basic = `Basic ${Buffer.from('alice:1234').toString('base64')}`;
      await a.write(
        authRequest({ toUri: s.domainUri, fromUri: s.aUri, headers: [['Authorization', basic]] }),
      );
      const answer = await a.nextMessage();
      if (s.mode.tls) {
        assert.equal(answer.status, 200, show(answer));
        assert.ok(header(answer, 'Use-Path'));
        assert.equal(header(answer, 'Authentication-Info'), undefined);
      } else {
        assert.equal(answer.status, 400, show(answer));
      }
    });

    test('with uniform_auth_failures an unknown user gets the wrong-password text', async (t) => {
      const a = await s.scope(t).client();
      const basic = `Basic ${Buffer.from('mallory:1234').toString('base64')}`;
      await a.write(
        authRequest({ toUri: s.domainUri, fromUri: s.aUri, headers: [['Authorization', basic]] }),
      );
      const answer = await a.nextMessage();
      if (s.mode.tls)
        assert.equal(answer.comment, 'Unauthorized: Login failed: Incorrect password', show(answer));
      else assert.equal(answer.status, 400, show(answer));
    });
  },
);

describeModes(
  "uniform_auth_failures = no: msrprelay's failure texts",
  { settings: { uniform_auth_failures: 'no' } },
  (s) => {
    test('an unknown user gets 403 Username not found (relay spec §9.2 test 20, Compat)', async (t) => {
      const a = await s.scope(t).client();
      const challenge = await requestChallenge(a, { toUri: s.domainUri, fromUri: s.aUri });
      const credentials = authorization(challenge, s.domainUri, { username: 'mallory' });
      await a.write(
        authRequest({ toUri: s.domainUri, fromUri: s.aUri, headers: [['Authorization', credentials]] }),
      );
      const answer = await a.nextMessage();
      assert.equal(answer.comment, 'Unauthorized: Login failed: Username not found', show(answer));
    });
  },
);
