/**
 * What the FCM provider tests share: stand-ins for Google's OAuth 2 token endpoint and for FCM (neither can
 * run here; see http-stand-in.ts), a provider on a manual clock made fresh for each test, and the pushes.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { after, afterEach, before, beforeEach } from 'node:test';
import { pino } from 'pino';
import { checkFcmSettings, type FcmSettings } from '../../src/push/fcm/options.js';
import { FcmProvider } from '../../src/push/fcm/provider.js';
import type { PushDelivery, PushNotification, PushTarget } from '../../src/push/provider.js';
import { ManualClock } from '../support/manual-clock.js';
import { type HttpAnswer, HttpStandIn, type RecordedHttpRequest } from './http-stand-in.js';

export const START = Date.UTC(2026, 11, 7, 1, 0, 0);
export const PROJECT = 'sylk-test-1234';
export const DEVICE_TOKEN = 'fcm-token:APA91b' + 'Q'.repeat(140);
export const CALL_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
export const CLIENT_EMAIL = 'missive-push@sylk-test-1234.iam.gserviceaccount.com';
const accountKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** The service account's public key, to verify assertions. */
export const ACCOUNT_PUBLIC_KEY = accountKey.publicKey;
export const PRIVATE_PEM = accountKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Headers that fetch (undici) adds to every request; the provider's own are checked exactly. */
const FETCH_HEADERS = new Set([
  'accept',
  'accept-language',
  'sec-fetch-mode',
  'user-agent',
  'accept-encoding',
  'connection',
]);

export function target(overrides: Partial<PushTarget> = {}): PushTarget {
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

export function message(
  overrides: Partial<Extract<PushNotification, { kind: 'message' }>> = {},
): PushNotification {
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

export function delivery(
  notification: PushNotification = message(),
  to: PushTarget = target(),
): PushDelivery {
  return { target: to, notification };
}

export function decodeRs256(jwt: string, key: KeyObject): { header: unknown; claims: unknown } {
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

export function ownHeaders(request: RecordedHttpRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request.headers).filter(([name]) => !FETCH_HEADERS.has(name)));
}

export function tokenAnswer(token: string, expiresIn = 3600): HttpAnswer {
  return {
    status: 200,
    body: JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' }),
  };
}

export function fcmError(
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

export interface FcmFixture {
  readonly oauth: HttpStandIn;
  readonly fcm: HttpStandIn;
  readonly clock: ManualClock;
  /** Fresh for each test; a test may replace it (the fixture closes whichever is current). */
  provider: FcmProvider;
  makeProvider(overrides?: Partial<FcmSettings>): FcmProvider;
  fcmRequest(index: number): RecordedHttpRequest;
  sentMessage(index: number): Record<string, unknown> & { data: Record<string, string> };
  /** The access token the index-th send carried. */
  sentWith(index: number): string;
}

/**
 * Registers the hooks of a describe block: the stand-ins for the block; per test a new clock, a token endpoint
 * that hands out ya29.token-1, ya29.token-2…, an FCM that accepts everything, and a provider.
 */
export function useFcmFixture(): FcmFixture {
  const logger = pino({ level: 'silent' });
  let standIns: { readonly oauth: HttpStandIn; readonly fcm: HttpStandIn } | undefined;
  let clock = new ManualClock(START);
  let provider: FcmProvider | undefined;
  const running = (): { readonly oauth: HttpStandIn; readonly fcm: HttpStandIn } => {
    assert.ok(standIns !== undefined, 'the stand-ins are running');
    return standIns;
  };
  const fixture: FcmFixture = {
    get oauth() {
      return running().oauth;
    },
    get fcm() {
      return running().fcm;
    },
    get clock() {
      return clock;
    },
    get provider() {
      assert.ok(provider !== undefined, 'a provider was made');
      return provider;
    },
    set provider(value) {
      provider = value;
    },
    makeProvider(overrides = {}) {
      const checked = checkFcmSettings({
        serviceAccount: JSON.stringify({
          type: 'service_account',
          project_id: PROJECT,
          private_key_id: 'key-id-1',
          private_key: PRIVATE_PEM,
          client_email: CLIENT_EMAIL,
          client_id: '1234567890',
          token_uri: `${running().oauth.origin}/token`,
        }),
        origin: running().fcm.origin,
        requestTimeoutMs: 5000,
        ...overrides,
      });
      assert.ok(checked.ok, JSON.stringify(checked.ok ? [] : checked.problems));
      return new FcmProvider({ config: checked.value, clock, logger });
    },
    fcmRequest(index) {
      const request = running().fcm.requests[index];
      assert.ok(request !== undefined, `FCM request ${String(index)} arrived`);
      return request;
    },
    sentMessage(index) {
      return (
        JSON.parse(fixture.fcmRequest(index).body) as {
          message: Record<string, unknown> & { data: Record<string, string> };
        }
      ).message;
    },
    sentWith(index) {
      const value = fixture.fcmRequest(index).headers.authorization;
      assert.ok(typeof value === 'string' && value.startsWith('Bearer '));
      return value.slice('Bearer '.length);
    },
  };
  before(async () => {
    standIns = { oauth: await HttpStandIn.start(), fcm: await HttpStandIn.start() };
  });
  after(async () => {
    await running().oauth.close();
    await running().fcm.close();
  });
  beforeEach(() => {
    clock = new ManualClock(START);
    const { oauth, fcm } = running();
    // Requests an earlier test left held (one that timed out) must not count as this test's.
    oauth.dropHeld();
    fcm.dropHeld();
    oauth.requests.length = 0;
    fcm.requests.length = 0;
    let issued = 0;
    oauth.responder = () => tokenAnswer(`ya29.token-${String(++issued)}`);
    fcm.responder = () => ({ status: 200, body: JSON.stringify({ name: `projects/${PROJECT}/messages/1` }) });
    provider = fixture.makeProvider();
  });
  afterEach(async () => {
    await provider?.close();
  });
  return fixture;
}
