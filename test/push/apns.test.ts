/**
 * The APNs provider against a stand-in for Apple's service (APNs cannot run here): an HTTP/2 TLS server that
 * records each request, so the tests check the exact method, path, headers, provider token and JSON body,
 * the one kept session, the token's renewal on the manual clock, and what every answer turns into.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { checkApnsSettings, type ApnsSettings } from '../../src/push/apns/options.js';
import { ApnsProvider, apnsProviderFrom } from '../../src/push/apns/provider.js';
import type { PushDelivery, PushNotification, PushTarget } from '../../src/push/provider.js';
import { ManualClock } from '../support/manual-clock.js';
import { freePort } from '../support/ports.js';
import { eventually } from '../support/wait.js';
import { ApnsStandIn, type RecordedRequest } from './apns-stand-in.js';

const START = Date.UTC(2026, 11, 7, 1, 0, 0);
const TOKEN = 'a1'.repeat(32);
const CALL_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const P8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function target(overrides: Partial<PushTarget> = {}): PushTarget {
  return {
    account: 'bob@example.com',
    appId: 'com.agprojects.sylk-ios',
    deviceId: 'iphone-1',
    platform: 'ios',
    token: TOKEN,
    silent: false,
    ...overrides,
  };
}

function message(overrides: Partial<Extract<PushNotification, { kind: 'message' }>> = {}): PushNotification {
  return {
    kind: 'message',
    callId: CALL_ID,
    messageId: 'msg-1',
    from: 'alice@example.com',
    fromDisplayName: 'Alice',
    to: 'bob@example.com',
    badge: 3,
    contentType: 'text/plain',
    content: 'Hello Bob',
    ...overrides,
  };
}

function delivery(notification: PushNotification = message(), to: PushTarget = target()): PushDelivery {
  return { target: to, notification };
}

function decodeJwt(jwt: string, key: KeyObject): { header: unknown; claims: unknown } {
  const [header, claims, signature] = jwt.split('.');
  assert.ok(header !== undefined && claims !== undefined && signature !== undefined, 'three parts');
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  assert.ok(valid, 'the ES256 signature verifies with the team key');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
  };
}

function bearer(request: RecordedRequest | undefined): string {
  assert.ok(request !== undefined, 'a request arrived');
  const value = request.headers.authorization;
  assert.ok(typeof value === 'string' && value.startsWith('bearer '), 'bearer authorization');
  return value.slice('bearer '.length);
}

function bodyOf(request: RecordedRequest | undefined): unknown {
  assert.ok(request !== undefined, 'a request arrived');
  return JSON.parse(request.body.toString('utf8'));
}

describe('APNs provider', () => {
  let standIn: ApnsStandIn;
  function requestAt(index: number): RecordedRequest {
    const request = standIn.requests[index];
    assert.ok(request !== undefined, `request ${String(index)} arrived`);
    return request;
  }
  let clock: ManualClock;
  let provider: ApnsProvider;
  const logger = pino({ level: 'silent' });

  function settings(overrides: Partial<ApnsSettings> = {}): ApnsSettings {
    return {
      key: P8,
      keyId: 'ABC123DEFG',
      teamId: 'TEAM456XYZ',
      bundleId: 'com.agprojects.sylk-ios',
      environment: 'production',
      origin: standIn.origin,
      ca: standIn.ca,
      requestTimeoutMs: 5000,
      ...overrides,
    };
  }

  function makeProvider(overrides: Partial<ApnsSettings> = {}): ApnsProvider {
    const checked = checkApnsSettings(settings(overrides));
    assert.ok(checked.ok, JSON.stringify(checked.ok ? [] : checked.problems));
    return new ApnsProvider({ config: checked.value, clock, logger });
  }

  before(async () => {
    standIn = await ApnsStandIn.start();
  });
  after(async () => {
    await standIn.close();
  });
  afterEach(async () => {
    await provider.close();
  });
  beforeEach(() => {
    clock = new ManualClock(START);
    standIn.requests.length = 0;
    standIn.responder = () => ({ status: 200 });
    provider = makeProvider();
  });

  it('sends a message as an alert: exact path, headers, provider token and body', async () => {
    const outcome = await provider.send(delivery());
    assert.deepEqual(outcome, { kind: 'sent' });
    const request = requestAt(0);
    const jwt = bearer(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name !== 'authorization'),
    );
    assert.deepEqual(headers, {
      ':method': 'POST',
      ':path': `/3/device/${TOKEN}`,
      ':scheme': 'https',
      ':authority': standIn.origin.slice('https://'.length),
      'apns-topic': 'com.agprojects.sylk-ios',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(START / 1000 + 86_400),
      'apns-id': CALL_ID,
      'content-length': String(request.body.length),
    });
    assert.deepEqual(decodeJwt(jwt, publicKey), {
      header: { alg: 'ES256', kid: 'ABC123DEFG' },
      claims: { iss: 'TEAM456XYZ', iat: START / 1000 },
    });
    assert.deepEqual(bodyOf(request), {
      aps: { alert: { title: 'Alice', body: 'Hello Bob' }, sound: 'default', badge: 3 },
      event: 'message',
      'call-id': CALL_ID,
      'message-id': 'msg-1',
      from: 'alice@example.com',
      from_uri: 'alice@example.com',
      'from-display-name': 'Alice',
      from_display_name: 'Alice',
      to: 'bob@example.com',
      to_uri: 'bob@example.com',
      'media-type': 'sms',
      badge: '3',
      'content-type': 'text/plain',
      content: 'Hello Bob',
    });
  });

  it('titles the alert with the address when there is no display name, and says only "New message" without content', async () => {
    const bare: PushNotification = {
      kind: 'message',
      callId: CALL_ID,
      messageId: 'msg-1',
      from: 'alice@example.com',
      fromDisplayName: null,
      to: 'bob@example.com',
      badge: 3,
    };
    assert.deepEqual(await provider.send(delivery(bare)), { kind: 'sent' });
    const body = bodyOf(standIn.requests[0]) as Record<string, unknown>;
    assert.deepEqual(body.aps, {
      alert: { title: 'alice@example.com', body: 'New message' },
      sound: 'default',
      badge: 3,
    });
    assert.equal('content' in body, false);
    assert.equal('content-type' in body, false);
  });

  it('sends a silent push as background at priority 5, without alert, sound or badge', async () => {
    assert.deepEqual(await provider.send(delivery(message(), target({ silent: true }))), { kind: 'sent' });
    const request = requestAt(0);
    assert.equal(request.headers['apns-push-type'], 'background');
    assert.equal(request.headers['apns-priority'], '5');
    assert.equal(request.headers['apns-topic'], 'com.agprojects.sylk-ios');
    assert.deepEqual((bodyOf(request) as Record<string, unknown>).aps, { 'content-available': 1 });
  });

  it('wakes a device for an INVITE with a VoIP push to <bundle>.voip, expiring with the wake lifetime', async () => {
    const wake: PushNotification = {
      kind: 'wake',
      callId: CALL_ID,
      method: 'INVITE',
      from: 'alice@example.com',
      to: 'bob@example.com',
    };
    assert.deepEqual(await provider.send(delivery(wake)), { kind: 'sent' });
    const request = requestAt(0);
    assert.equal(request.headers['apns-push-type'], 'voip');
    assert.equal(request.headers['apns-topic'], 'com.agprojects.sylk-ios.voip');
    assert.equal(request.headers['apns-priority'], '10');
    assert.equal(request.headers['apns-expiration'], String(START / 1000 + 60));
    assert.deepEqual(bodyOf(request), {
      event: 'incoming_session',
      'call-id': CALL_ID,
      from: 'alice@example.com',
      from_uri: 'alice@example.com',
      to: 'bob@example.com',
      to_uri: 'bob@example.com',
      'media-type': 'audio',
    });
  });

  it('wakes a device for a MESSAGE with an alert that also wakes the app, without a badge', async () => {
    const wake: PushNotification = {
      kind: 'wake',
      callId: CALL_ID,
      method: 'MESSAGE',
      from: 'alice@example.com',
      to: 'bob@example.com',
    };
    assert.deepEqual(await provider.send(delivery(wake)), { kind: 'sent' });
    const request = requestAt(0);
    assert.equal(request.headers['apns-push-type'], 'alert');
    assert.equal(request.headers['apns-topic'], 'com.agprojects.sylk-ios');
    assert.equal(request.headers['apns-priority'], '10');
    assert.deepEqual((bodyOf(request) as Record<string, unknown>).aps, {
      alert: { title: 'alice@example.com', body: 'New message' },
      sound: 'default',
      'content-available': 1,
    });
  });

  it('omits apns-id when the call id is not a UUID', async () => {
    assert.deepEqual(await provider.send(delivery(message({ callId: 'not-a-uuid' }))), { kind: 'sent' });
    assert.equal(standIn.requests[0]?.headers['apns-id'], undefined);
  });

  it('keeps one HTTP/2 session for many sends, sequential and concurrent', async () => {
    const sessionsBefore = standIn.sessions;
    for (let i = 0; i < 3; i++) assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => provider.send(delivery())));
    assert.deepEqual(
      outcomes,
      Array.from({ length: 10 }, () => ({ kind: 'sent' })),
    );
    assert.equal(standIn.requests.length, 13);
    assert.equal(standIn.sessions - sessionsBefore, 1);
    assert.equal(provider.sessionsOpened, 1);
  });

  it('bounds the streams in flight on the session', { timeout: 30_000 }, async () => {
    await provider.close();
    provider = makeProvider({ maxConcurrentStreams: 2 });
    standIn.maxHeld = 0;
    standIn.responder = () => 'hold';
    const sends = Array.from({ length: 5 }, () => provider.send(delivery()));
    try {
      // Each answer lets one waiting send start: the stand-in sees all five, never more than two at once.
      for (let answered = 0; answered < 5; answered++) {
        await eventually(() => standIn.held > 0, 'a request held by the stand-in');
        standIn.release();
      }
      assert.deepEqual(
        await Promise.all(sends),
        Array.from({ length: 5 }, () => ({ kind: 'sent' })),
      );
    } finally {
      standIn.releaseAll();
    }
    assert.equal(standIn.requests.length, 5);
    assert.equal(standIn.maxHeld, 2);
  });

  it('keeps the provider token for 50 minutes and signs a new one then', async () => {
    await provider.send(delivery());
    const first = bearer(standIn.requests[0]);
    clock.advance(50 * 60 * 1000 - 1000);
    await provider.send(delivery());
    assert.equal(bearer(standIn.requests[1]), first, 'the same token at 49:59');
    clock.advance(1000);
    await provider.send(delivery());
    const renewed = bearer(standIn.requests[2]);
    assert.notEqual(renewed, first);
    assert.deepEqual(decodeJwt(renewed, publicKey).claims, { iss: 'TEAM456XYZ', iat: START / 1000 + 3000 });
    clock.advance(49 * 60 * 1000);
    await provider.send(delivery());
    assert.equal(bearer(standIn.requests[3]), renewed);
  });

  for (const reason of ['ExpiredProviderToken', 'InvalidProviderToken']) {
    it(`answers retry to 403 ${reason} and signs a new token for the next send`, async () => {
      standIn.responder = (_request, index) =>
        index === 0 ? { status: 403, body: JSON.stringify({ reason }) } : { status: 200 };
      await provider.send(delivery());
      clock.advance(1000);
      assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
      const refused = bearer(standIn.requests[0]);
      const renewed = bearer(standIn.requests[1]);
      assert.notEqual(renewed, refused);
      assert.deepEqual(decodeJwt(renewed, publicKey).claims, { iss: 'TEAM456XYZ', iat: START / 1000 + 1 });
    });
    it(`maps 403 ${reason} to retry with Apple's reason`, async () => {
      standIn.responder = () => ({ status: 403, body: JSON.stringify({ reason }) });
      assert.deepEqual(await provider.send(delivery()), { kind: 'retry', reason: `APNs 403 ${reason}` });
    });
  }

  const cases: readonly [string, number, Record<string, string>, string | undefined, unknown][] = [
    ['410 Unregistered', 410, {}, 'Unregistered', { kind: 'token-gone', reason: 'APNs 410 Unregistered' }],
    [
      '400 BadDeviceToken',
      400,
      {},
      'BadDeviceToken',
      { kind: 'token-gone', reason: 'APNs 400 BadDeviceToken' },
    ],
    [
      '400 DeviceTokenNotForTopic',
      400,
      {},
      'DeviceTokenNotForTopic',
      { kind: 'token-gone', reason: 'APNs 400 DeviceTokenNotForTopic' },
    ],
    ['400 BadTopic', 400, {}, 'BadTopic', { kind: 'failed', reason: 'APNs 400 BadTopic' }],
    [
      '413 PayloadTooLarge',
      413,
      {},
      'PayloadTooLarge',
      { kind: 'failed', reason: 'APNs 413 PayloadTooLarge' },
    ],
    ['403 BadCertificate', 403, {}, 'BadCertificate', { kind: 'failed', reason: 'APNs 403 BadCertificate' }],
    [
      '429 with Retry-After',
      429,
      { 'retry-after': '30' },
      'TooManyRequests',
      { kind: 'retry', reason: 'APNs 429 TooManyRequests', afterMs: 30_000 },
    ],
    ['500', 500, {}, 'InternalServerError', { kind: 'retry', reason: 'APNs 500 InternalServerError' }],
    [
      '503 with Retry-After',
      503,
      { 'retry-after': '5' },
      'ServiceUnavailable',
      { kind: 'retry', reason: 'APNs 503 ServiceUnavailable', afterMs: 5000 },
    ],
    ['502 without a JSON body', 502, {}, undefined, { kind: 'retry', reason: 'APNs 502' }],
  ];
  for (const [name, status, headers, reason, expected] of cases) {
    it(`maps ${name}`, async () => {
      standIn.responder = () => ({
        status,
        headers,
        body: reason === undefined ? 'Bad Gateway' : JSON.stringify({ reason, timestamp: START }),
      });
      assert.deepEqual(await provider.send(delivery()), expected);
    });
  }

  it('drops the content to stay within 4096 bytes, keeping sender, badge and ids', async () => {
    const long = 'x'.repeat(5000);
    assert.deepEqual(await provider.send(delivery(message({ content: long }))), { kind: 'sent' });
    const request = requestAt(0);
    assert.ok(request.body.length <= 4096, `${String(request.body.length)} bytes`);
    const body = bodyOf(request) as Record<string, unknown>;
    assert.equal('content' in body, false);
    assert.equal('content-type' in body, false);
    assert.deepEqual(body.aps, {
      alert: { title: 'Alice', body: 'New message' },
      sound: 'default',
      badge: 3,
    });
    assert.equal(body['call-id'], CALL_ID);
    assert.equal(body.from, 'alice@example.com');
  });

  it('keeps content that fits, with the alert body cut to 200 characters', async () => {
    const text = 'y'.repeat(1500);
    assert.deepEqual(await provider.send(delivery(message({ content: text }))), { kind: 'sent' });
    const body = bodyOf(standIn.requests[0]) as { aps: { alert: { body: string } }; content: string };
    assert.equal(body.content, text);
    assert.equal(body.aps.alert.body, `${'y'.repeat(199)}…`);
  });

  it('never sends a payload that is too big even without content', async () => {
    const outcome = await provider.send(delivery(message({ fromDisplayName: 'z'.repeat(2100) })));
    assert.equal(outcome.kind, 'failed');
    assert.match((outcome as { reason: string }).reason, /too big/);
    // The next push arrives as the first request: the too-big one was never sent.
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(standIn.requests.length, 1);
    assert.equal((bodyOf(standIn.requests[0]) as Record<string, unknown>).from_display_name, 'Alice');
  });

  it('answers token-gone for a token that is not hex, without sending it', async () => {
    const outcome = await provider.send(delivery(message(), target({ token: '../../3/other' })));
    assert.equal(outcome.kind, 'token-gone');
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(standIn.requests.length, 1);
  });

  it('answers retry when APNs does not answer in time, and opens a new session for the next send', {
    timeout: 30_000,
  }, async () => {
    standIn.responder = (_request, index) => (index === 0 ? 'hold' : { status: 200 });
    const sessionsBefore = standIn.sessions;
    const pending = provider.send(delivery());
    await eventually(() => standIn.held === 1, 'the request to reach the stand-in');
    clock.advance(4999);
    clock.advance(1);
    assert.deepEqual(await pending, { kind: 'retry', reason: 'APNs unreachable: no answer within 5000 ms' });
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(standIn.sessions - sessionsBefore, 2);
    assert.equal(provider.sessionsOpened, 2);
  });

  it('opens a new session after APNs sends GOAWAY', async () => {
    const sessionsBefore = standIn.sessions;
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    for (const session of standIn.liveSessions) session.goaway();
    await eventually(
      async () =>
        (await provider.send(delivery())).kind === 'sent' && standIn.sessions - sessionsBefore === 2,
      'a send on a new session',
    );
    assert.equal(provider.sessionsOpened, 2);
  });

  it('answers retry when APNs cannot be reached', async () => {
    await provider.close();
    provider = makeProvider({ origin: `https://127.0.0.1:${String(await freePort())}` });
    const outcome = await provider.send(delivery());
    assert.equal(outcome.kind, 'retry');
    assert.match((outcome as { reason: string }).reason, /^APNs unreachable: .*ECONNREFUSED/);
  });

  it('answers failed after close', async () => {
    await provider.close();
    assert.deepEqual(await provider.send(delivery()), { kind: 'failed', reason: 'APNs provider closed' });
  });
});

describe('APNs settings', () => {
  const good: ApnsSettings = {
    key: P8,
    keyId: 'ABC123DEFG',
    teamId: 'TEAM456XYZ',
    bundleId: 'com.example.app',
    environment: 'development',
  };

  it('takes the environment origin and defaults', () => {
    const checked = checkApnsSettings(good);
    assert.ok(checked.ok);
    assert.equal(checked.value.origin, 'https://api.sandbox.push.apple.com:443');
    const production = checkApnsSettings({ ...good, environment: 'production' });
    assert.ok(production.ok);
    assert.equal(production.value.origin, 'https://api.push.apple.com:443');
    assert.equal(checked.value.requestTimeoutMs, 10_000);
    assert.equal(checked.value.maxConcurrentStreams, 100);
  });

  it('reads the key from a file path', () => {
    const checked = checkApnsSettings({ ...good, key: '/etc/missive/AuthKey_ABC123DEFG.p8' }, (path) => {
      assert.equal(path, '/etc/missive/AuthKey_ABC123DEFG.p8');
      return P8;
    });
    assert.ok(checked.ok);
  });

  it('names each setting that is wrong', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const checked = checkApnsSettings({
      key: rsa.toString(),
      keyId: 'abc',
      teamId: '',
      bundleId: 'com.example.app.voip',
      environment: 'staging',
      requestTimeoutMs: 0,
    });
    assert.ok(!checked.ok);
    assert.deepEqual(
      checked.problems.map((p) => p.setting),
      ['key', 'keyId', 'teamId', 'bundleId', 'environment', 'requestTimeoutMs'],
    );
    assert.match(checked.problems[0]?.message ?? '', /EC P-256/);
  });

  it('says which file it cannot read', () => {
    const checked = checkApnsSettings({ ...good, key: '/nonexistent/AuthKey.p8' });
    assert.ok(!checked.ok);
    assert.deepEqual(checked.problems, [
      { setting: 'key', message: 'cannot read the file /nonexistent/AuthKey.p8 (ENOENT)' },
    ]);
  });

  it('makes a provider from right settings, and none from wrong ones', async () => {
    const dependencies = { clock: new ManualClock(START), logger: pino({ level: 'silent' }) };
    const made = apnsProviderFrom(good, dependencies);
    assert.ok(made.ok);
    assert.equal(made.value.kind, 'apns');
    await made.value.close();
    const refused = apnsProviderFrom({ ...good, teamId: 'x' }, dependencies);
    assert.ok(!refused.ok);
    assert.deepEqual(
      refused.problems.map((p) => p.setting),
      ['teamId'],
    );
  });

  it('refuses an origin that is not https', () => {
    const checked = checkApnsSettings({ ...good, origin: 'http://127.0.0.1:8443' });
    assert.ok(!checked.ok);
    assert.equal(checked.problems[0]?.setting, 'origin');
  });
});
