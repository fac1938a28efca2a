/**
 * The FCM provider's access token: kept, fetched once for concurrent sends, renewed five minutes before expiry and after a 401; the token endpoint's and FCM's failures and timeouts.
 * Against local stand-ins for Google's token endpoint and FCM, which cannot run here (fcm-fixture.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { eventually } from '../support/wait.js';
import {
  ACCOUNT_PUBLIC_KEY,
  START,
  decodeRs256,
  delivery,
  fcmError,
  tokenAnswer,
  useFcmFixture,
} from './fcm-fixture.js';

describe('FCM provider: access token and failures', () => {
  const f = useFcmFixture();

  it('keeps the access token for many sends and fetches it once for concurrent ones', async () => {
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => f.provider.send(delivery())));
    assert.deepEqual(
      outcomes,
      Array.from({ length: 5 }, () => ({ kind: 'sent' })),
    );
    for (let i = 0; i < 3; i++) await f.provider.send(delivery());
    assert.equal(f.oauth.requests.length, 1);
    assert.equal(f.provider.accessTokenFetches, 1);
    assert.equal(f.fcm.requests.length, 8);
    for (let i = 0; i < 8; i++) assert.equal(f.sentWith(i), 'ya29.token-1');
  });

  it('fetches a new access token five minutes before it expires, not before', async () => {
    await f.provider.send(delivery());
    f.clock.advance(55 * 60 * 1000 - 1000);
    await f.provider.send(delivery());
    assert.equal(f.sentWith(1), 'ya29.token-1');
    assert.equal(f.oauth.requests.length, 1);
    f.clock.advance(1000);
    await f.provider.send(delivery());
    assert.equal(f.sentWith(2), 'ya29.token-2');
    assert.equal(f.oauth.requests.length, 2);
    const assertion = new URLSearchParams(f.oauth.requests[1]?.body).get('assertion') ?? '';
    assert.equal(
      (decodeRs256(assertion, ACCOUNT_PUBLIC_KEY).claims as { iat: number }).iat,
      START / 1000 + 3300,
    );
  });

  it('answers retry to 401 and fetches a new access token for the next send', async () => {
    f.fcm.responder = (_request, index) =>
      index === 0 ? fcmError(401, 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR') : { status: 200, body: '{}' };
    assert.deepEqual(await f.provider.send(delivery()), {
      kind: 'retry',
      reason: 'FCM 401 THIRD_PARTY_AUTH_ERROR UNAUTHENTICATED happened',
    });
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.sentWith(0), 'ya29.token-1');
    assert.equal(f.sentWith(1), 'ya29.token-2');
  });

  it('answers failed when the token endpoint refuses the key, retry when it is down', async () => {
    f.oauth.responder = () => ({
      status: 400,
      body: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }),
    });
    assert.deepEqual(await f.provider.send(delivery()), {
      kind: 'failed',
      reason: 'FCM OAuth token endpoint 400 invalid_grant: Invalid JWT Signature.',
    });
    f.oauth.responder = () => ({ status: 503, body: '' });
    assert.deepEqual(await f.provider.send(delivery()), {
      kind: 'retry',
      reason: 'FCM OAuth token endpoint 503',
    });
    f.oauth.responder = () => tokenAnswer('ya29.after');
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.fcm.requests.length, 1, 'only the last push reached FCM');
    assert.equal(f.sentWith(0), 'ya29.after');
  });

  it('answers retry when FCM does not answer in time', { timeout: 30_000 }, async () => {
    f.fcm.responder = () => 'hold';
    const pending = f.provider.send(delivery());
    await eventually(() => f.fcm.held === 1, 'the send to reach the FCM stand-in');
    f.clock.advance(5000);
    assert.deepEqual(await pending, { kind: 'retry', reason: 'FCM unreachable: no answer within 5000 ms' });
  });

  it('answers retry when the token endpoint does not answer in time, and sends once it does', {
    timeout: 30_000,
  }, async () => {
    f.oauth.responder = (_request, index) => (index === 0 ? 'hold' : tokenAnswer('ya29.late'));
    const pending = f.provider.send(delivery());
    await eventually(() => f.oauth.held === 1, 'the token request to reach the stand-in');
    f.clock.advance(5000);
    assert.deepEqual(await pending, {
      kind: 'retry',
      reason: 'FCM OAuth token endpoint unreachable: no answer within 5000 ms',
    });
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.sentWith(0), 'ya29.late');
  });

  it('answers retry when FCM cannot be reached', async () => {
    await f.provider.close();
    f.provider = f.makeProvider({ origin: `http://127.0.0.1:${String(await freePort())}` });
    const outcome = await f.provider.send(delivery());
    assert.deepEqual(outcome, { kind: 'retry', reason: 'FCM unreachable: ECONNREFUSED' });
  });

  it('answers failed after close', async () => {
    await f.provider.close();
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'failed', reason: 'FCM provider closed' });
  });
});
