/**
 * The FCM provider against stand-ins for Google's OAuth 2 token endpoint and for FCM (neither can run here):
 * plain HTTP servers that record each request, so the tests check the exact requests (the RS256 assertion
 * verified with the test's key), the kept access token on the manual clock, and what every answer turns into.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { checkFcmSettings, type FcmSettings } from '../../src/push/fcm/options.js';
import { FcmProvider, fcmProviderFrom } from '../../src/push/fcm/provider.js';
import type { PushDelivery, PushNotification, PushTarget } from '../../src/push/provider.js';
import { ManualClock } from '../support/manual-clock.js';
import { freePort } from '../support/ports.js';
import { eventually } from '../support/wait.js';
import { type HttpAnswer, HttpStandIn, type RecordedHttpRequest } from './http-stand-in.js';

const START = Date.UTC(2026, 11, 7, 1, 0, 0);
const PROJECT = 'sylk-test-1234';
const DEVICE_TOKEN = 'fcm-token:APA91b' + 'Q'.repeat(140);
const CALL_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const CLIENT_EMAIL = 'missive-push@sylk-test-1234.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Headers that fetch (undici) adds to every request; the provider's own are checked exactly. */
const FETCH_HEADERS = new Set([
  'accept',
  'accept-language',
  'sec-fetch-mode',
  'user-agent',
  'accept-encoding',
  'connection',
]);

function target(overrides: Partial<PushTarget> = {}): PushTarget {
  return {
    account: 'bob@example.com',
    appId: 'com.agprojects.sylk',
    deviceId: 'pixel-1',
    platform: 'android',
    token: DEVICE_TOKEN,
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
    badge: 2,
    contentType: 'text/plain',
    content: 'Hello Bob',
    ...overrides,
  };
}

function delivery(notification: PushNotification = message(), to: PushTarget = target()): PushDelivery {
  return { target: to, notification };
}

function decodeRs256(jwt: string, key: KeyObject): { header: unknown; claims: unknown } {
  const [header, claims, signature] = jwt.split('.');
  assert.ok(header !== undefined && claims !== undefined && signature !== undefined, 'three parts');
  assert.ok(
    verify('sha256', Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, 'base64url')),
    'the RS256 signature verifies with the service-account key',
  );
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
  };
}

function ownHeaders(request: RecordedHttpRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request.headers).filter(([name]) => !FETCH_HEADERS.has(name)));
}

function tokenAnswer(token: string, expiresIn = 3600): HttpAnswer {
  return {
    status: 200,
    body: JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' }),
  };
}

function fcmError(
  status: number,
  code: string,
  errorCode: string | undefined,
  extra: object[] = [],
): HttpAnswer {
  const details = [
    ...(errorCode === undefined
      ? []
      : [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]),
    ...extra,
  ];
  return {
    status,
    body: JSON.stringify({ error: { code: status, message: `${code} happened`, status: code, details } }),
  };
}

describe('FCM provider', () => {
  let oauth: HttpStandIn;
  let fcm: HttpStandIn;
  let clock: ManualClock;
  let provider: FcmProvider;
  let issued: number;
  const logger = pino({ level: 'silent' });

  function serviceAccount(): string {
    return JSON.stringify({
      type: 'service_account',
      project_id: PROJECT,
      private_key_id: 'key-id-1',
      private_key: PRIVATE_PEM,
      client_email: CLIENT_EMAIL,
      client_id: '1234567890',
      token_uri: `${oauth.origin}/token`,
    });
  }

  function makeProvider(overrides: Partial<FcmSettings> = {}): FcmProvider {
    const checked = checkFcmSettings({
      serviceAccount: serviceAccount(),
      origin: fcm.origin,
      requestTimeoutMs: 5000,
      ...overrides,
    });
    assert.ok(checked.ok, JSON.stringify(checked.ok ? [] : checked.problems));
    return new FcmProvider({ config: checked.value, clock, logger });
  }

  function fcmRequest(index: number): RecordedHttpRequest {
    const request = fcm.requests[index];
    assert.ok(request !== undefined, `FCM request ${String(index)} arrived`);
    return request;
  }

  function sentMessage(index: number): Record<string, unknown> & { data: Record<string, string> } {
    return (
      JSON.parse(fcmRequest(index).body) as {
        message: Record<string, unknown> & { data: Record<string, string> };
      }
    ).message;
  }

  function sentWith(index: number): string {
    const value = fcmRequest(index).headers.authorization;
    assert.ok(typeof value === 'string' && value.startsWith('Bearer '));
    return value.slice('Bearer '.length);
  }

  before(async () => {
    oauth = await HttpStandIn.start();
    fcm = await HttpStandIn.start();
  });
  after(async () => {
    await oauth.close();
    await fcm.close();
  });
  beforeEach(() => {
    clock = new ManualClock(START);
    oauth.requests.length = 0;
    fcm.requests.length = 0;
    issued = 0;
    oauth.responder = () => tokenAnswer(`ya29.token-${String(++issued)}`);
    fcm.responder = () => ({ status: 200, body: JSON.stringify({ name: `projects/${PROJECT}/messages/1` }) });
    provider = makeProvider();
  });
  afterEach(async () => {
    await provider.close();
  });

  it('gets an access token with a signed assertion, then sends the exact message', async () => {
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });

    const tokenRequest = oauth.requests[0];
    assert.ok(tokenRequest !== undefined);
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.path, '/token');
    assert.deepEqual(ownHeaders(tokenRequest), {
      host: oauth.origin.slice('http://'.length),
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(tokenRequest.body)),
    });
    const form = new URLSearchParams(tokenRequest.body);
    assert.deepEqual([...form.keys()], ['grant_type', 'assertion']);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.deepEqual(decodeRs256(form.get('assertion') ?? '', publicKey), {
      header: { alg: 'RS256', typ: 'JWT', kid: 'key-id-1' },
      claims: {
        iss: CLIENT_EMAIL,
        scope: 'https://www.googleapis.com/auth/firebase.messaging',
        aud: `${oauth.origin}/token`,
        iat: START / 1000,
        exp: START / 1000 + 3600,
      },
    });

    const send = fcmRequest(0);
    assert.equal(send.method, 'POST');
    assert.equal(send.path, `/v1/projects/${PROJECT}/messages:send`);
    assert.deepEqual(ownHeaders(send), {
      host: fcm.origin.slice('http://'.length),
      authorization: 'Bearer ya29.token-1',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(send.body)),
    });
    assert.deepEqual(JSON.parse(send.body), {
      message: {
        token: DEVICE_TOKEN,
        data: {
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
          badge: '2',
          'content-type': 'text/plain',
          content: 'Hello Bob',
        },
        android: { priority: 'high', ttl: '86400s' },
      },
    });
  });

  it('adds a notification without the text when configured, never for a silent device', async () => {
    await provider.close();
    provider = makeProvider({ notification: true });
    await provider.send(delivery());
    await provider.send(delivery(message(), target({ silent: true })));
    assert.deepEqual(sentMessage(0).notification, {
      title: 'Alice',
      body: 'New message',
    });
    assert.equal('notification' in sentMessage(1), false);
  });

  it('sends an RFC 8599 wake as data with the wake lifetime', async () => {
    const wake: PushNotification = {
      kind: 'wake',
      callId: CALL_ID,
      method: 'MESSAGE',
      from: 'alice@example.com',
      to: 'bob@example.com',
    };
    assert.deepEqual(await provider.send(delivery(wake)), { kind: 'sent' });
    assert.deepEqual(JSON.parse(fcmRequest(0).body), {
      message: {
        token: DEVICE_TOKEN,
        data: {
          event: 'message',
          'call-id': CALL_ID,
          from: 'alice@example.com',
          from_uri: 'alice@example.com',
          to: 'bob@example.com',
          to_uri: 'bob@example.com',
          'media-type': 'sms',
        },
        android: { priority: 'high', ttl: '60s' },
      },
    });
  });

  it('keeps the access token for many sends and fetches it once for concurrent ones', async () => {
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => provider.send(delivery())));
    assert.deepEqual(
      outcomes,
      Array.from({ length: 5 }, () => ({ kind: 'sent' })),
    );
    for (let i = 0; i < 3; i++) await provider.send(delivery());
    assert.equal(oauth.requests.length, 1);
    assert.equal(provider.accessTokenFetches, 1);
    assert.equal(fcm.requests.length, 8);
    for (let i = 0; i < 8; i++) assert.equal(sentWith(i), 'ya29.token-1');
  });

  it('fetches a new access token five minutes before it expires, not before', async () => {
    await provider.send(delivery());
    clock.advance(55 * 60 * 1000 - 1000);
    await provider.send(delivery());
    assert.equal(sentWith(1), 'ya29.token-1');
    assert.equal(oauth.requests.length, 1);
    clock.advance(1000);
    await provider.send(delivery());
    assert.equal(sentWith(2), 'ya29.token-2');
    assert.equal(oauth.requests.length, 2);
    const assertion = new URLSearchParams(oauth.requests[1]?.body).get('assertion') ?? '';
    assert.equal((decodeRs256(assertion, publicKey).claims as { iat: number }).iat, START / 1000 + 3300);
  });

  it('answers retry to 401 and fetches a new access token for the next send', async () => {
    fcm.responder = (_request, index) =>
      index === 0 ? fcmError(401, 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR') : { status: 200, body: '{}' };
    assert.deepEqual(await provider.send(delivery()), {
      kind: 'retry',
      reason: 'FCM 401 THIRD_PARTY_AUTH_ERROR UNAUTHENTICATED happened',
    });
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(sentWith(0), 'ya29.token-1');
    assert.equal(sentWith(1), 'ya29.token-2');
  });

  const tokenViolation = {
    '@type': 'type.googleapis.com/google.rpc.BadRequest',
    fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
  };
  const payloadViolation = {
    '@type': 'type.googleapis.com/google.rpc.BadRequest',
    fieldViolations: [{ field: 'message.data[0].value', description: 'Invalid value' }],
  };
  const cases: readonly [string, HttpAnswer, unknown][] = [
    [
      '404 UNREGISTERED',
      fcmError(404, 'NOT_FOUND', 'UNREGISTERED'),
      { kind: 'token-gone', reason: 'FCM 404 UNREGISTERED NOT_FOUND happened' },
    ],
    [
      '400 UNREGISTERED',
      fcmError(400, 'INVALID_ARGUMENT', 'UNREGISTERED'),
      { kind: 'token-gone', reason: 'FCM 400 UNREGISTERED INVALID_ARGUMENT happened' },
    ],
    [
      '400 INVALID_ARGUMENT about the token',
      fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', [tokenViolation]),
      { kind: 'token-gone', reason: 'FCM 400 INVALID_ARGUMENT INVALID_ARGUMENT happened' },
    ],
    [
      '400 INVALID_ARGUMENT about the payload',
      fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', [payloadViolation]),
      { kind: 'failed', reason: 'FCM 400 INVALID_ARGUMENT INVALID_ARGUMENT happened' },
    ],
    [
      '403 SENDER_ID_MISMATCH',
      fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH'),
      { kind: 'failed', reason: 'FCM 403 SENDER_ID_MISMATCH PERMISSION_DENIED happened' },
    ],
    [
      '429 with Retry-After',
      { ...fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'), headers: { 'retry-after': '60' } },
      { kind: 'retry', reason: 'FCM 429 QUOTA_EXCEEDED RESOURCE_EXHAUSTED happened', afterMs: 60_000 },
    ],
    [
      '503',
      fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE'),
      { kind: 'retry', reason: 'FCM 503 UNAVAILABLE UNAVAILABLE happened' },
    ],
    ['500 without JSON', { status: 500, body: 'oops' }, { kind: 'retry', reason: 'FCM 500' }],
  ];
  for (const [name, answer, expected] of cases) {
    it(`maps ${name}`, async () => {
      fcm.responder = () => answer;
      assert.deepEqual(await provider.send(delivery()), expected);
    });
  }

  it('answers failed when the token endpoint refuses the key, retry when it is down', async () => {
    oauth.responder = () => ({
      status: 400,
      body: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }),
    });
    assert.deepEqual(await provider.send(delivery()), {
      kind: 'failed',
      reason: 'FCM OAuth token endpoint 400 invalid_grant: Invalid JWT Signature.',
    });
    oauth.responder = () => ({ status: 503, body: '' });
    assert.deepEqual(await provider.send(delivery()), {
      kind: 'retry',
      reason: 'FCM OAuth token endpoint 503',
    });
    oauth.responder = () => tokenAnswer('ya29.after');
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(fcm.requests.length, 1, 'only the last push reached FCM');
    assert.equal(sentWith(0), 'ya29.after');
  });

  it('drops the content to stay within 4096 bytes', async () => {
    assert.deepEqual(await provider.send(delivery(message({ content: 'x'.repeat(5000) }))), { kind: 'sent' });
    const sent = JSON.parse(fcmRequest(0).body) as { message: { data: Record<string, string> } };
    assert.ok(Buffer.byteLength(JSON.stringify(sent.message.data)) <= 4096);
    assert.equal('content' in sent.message.data, false);
    assert.equal('content-type' in sent.message.data, false);
    assert.equal(sent.message.data['call-id'], CALL_ID);
    assert.equal(sent.message.data.badge, '2');
  });

  it('never sends a payload that is too big even without content', async () => {
    const outcome = await provider.send(delivery(message({ fromDisplayName: 'z'.repeat(2100) })));
    assert.equal(outcome.kind, 'failed');
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(fcm.requests.length, 1, 'only the second push reached FCM');
    assert.equal(sentMessage(0).data.from_display_name, 'Alice');
  });

  it('answers retry when FCM does not answer in time', { timeout: 30_000 }, async () => {
    fcm.responder = () => 'hold';
    const pending = provider.send(delivery());
    await eventually(() => fcm.held === 1, 'the send to reach the FCM stand-in');
    clock.advance(5000);
    assert.deepEqual(await pending, { kind: 'retry', reason: 'FCM unreachable: no answer within 5000 ms' });
  });

  it('answers retry when the token endpoint does not answer in time, and sends once it does', {
    timeout: 30_000,
  }, async () => {
    oauth.responder = (_request, index) => (index === 0 ? 'hold' : tokenAnswer('ya29.late'));
    const pending = provider.send(delivery());
    await eventually(() => oauth.held === 1, 'the token request to reach the stand-in');
    clock.advance(5000);
    assert.deepEqual(await pending, {
      kind: 'retry',
      reason: 'FCM OAuth token endpoint unreachable: no answer within 5000 ms',
    });
    assert.deepEqual(await provider.send(delivery()), { kind: 'sent' });
    assert.equal(sentWith(0), 'ya29.late');
  });

  it('answers retry when FCM cannot be reached', async () => {
    await provider.close();
    provider = makeProvider({ origin: `http://127.0.0.1:${String(await freePort())}` });
    const outcome = await provider.send(delivery());
    assert.deepEqual(outcome, { kind: 'retry', reason: 'FCM unreachable: ECONNREFUSED' });
  });

  it('answers failed after close', async () => {
    await provider.close();
    assert.deepEqual(await provider.send(delivery()), { kind: 'failed', reason: 'FCM provider closed' });
  });
});

describe('FCM settings', () => {
  const account = {
    type: 'service_account',
    project_id: PROJECT,
    private_key: PRIVATE_PEM,
    client_email: CLIENT_EMAIL,
    token_uri: 'https://oauth2.googleapis.com/token',
  };

  it('takes the project from the key and FCM origin by default', () => {
    const checked = checkFcmSettings({ serviceAccount: JSON.stringify(account) });
    assert.ok(checked.ok);
    assert.equal(checked.value.projectId, PROJECT);
    assert.equal(checked.value.origin, 'https://fcm.googleapis.com');
    assert.equal(checked.value.account.tokenUri, 'https://oauth2.googleapis.com/token');
    assert.equal(checked.value.notification, false);
  });

  it('makes a provider from right settings, and none from wrong ones', async () => {
    const dependencies = { clock: new ManualClock(START), logger: pino({ level: 'silent' }) };
    const made = fcmProviderFrom({ serviceAccount: JSON.stringify(account) }, dependencies);
    assert.ok(made.ok);
    assert.equal(made.value.kind, 'fcm');
    await made.value.close();
    const refused = fcmProviderFrom(
      { serviceAccount: JSON.stringify(account), projectId: 'X' },
      dependencies,
    );
    assert.ok(!refused.ok);
    assert.deepEqual(refused.problems, [{ setting: 'projectId', message: 'X is not a Firebase project id' }]);
  });

  it('reads the key from a file path', () => {
    const checked = checkFcmSettings({ serviceAccount: '/etc/missive/firebase.json' }, (path) => {
      assert.equal(path, '/etc/missive/firebase.json');
      return JSON.stringify(account);
    });
    assert.ok(checked.ok);
  });

  it('names what is wrong in the key', () => {
    const checked = checkFcmSettings({
      serviceAccount: JSON.stringify({
        ...account,
        client_email: undefined,
        token_uri: 'http://oauth.example.com/token',
      }),
    });
    assert.ok(!checked.ok);
    assert.deepEqual(checked.problems, [
      { setting: 'serviceAccount', message: 'the key has no client_email' },
      {
        setting: 'serviceAccount',
        message: 'http://oauth.example.com must be an https URL (http only to a loopback host)',
      },
    ]);
  });

  it('refuses a file that is not a service-account key, and bad numbers', () => {
    const checked = checkFcmSettings({
      serviceAccount: JSON.stringify({ type: 'authorized_user' }),
      requestTimeoutMs: 1.5,
      origin: 'ftp://fcm.example.com',
    });
    assert.ok(!checked.ok);
    assert.deepEqual(
      checked.problems.map((p) => p.setting),
      ['serviceAccount', 'origin', 'requestTimeoutMs'],
    );
  });

  it('asks for the project id when the key has none', () => {
    const withoutProject = { ...account, project_id: undefined };
    const checked = checkFcmSettings({ serviceAccount: JSON.stringify(withoutProject) });
    assert.ok(!checked.ok);
    assert.deepEqual(checked.problems, [
      { setting: 'projectId', message: 'is not set and the key has no project_id' },
    ]);
  });
});
