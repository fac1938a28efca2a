/**
 * What the APNs provider tests share: a stand-in for Apple's service (APNs cannot run here; see
 * apns-stand-in.ts), a provider on a manual clock made fresh for each test, and the pushes they send.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { after, afterEach, before, beforeEach } from 'node:test';
import { pino } from 'pino';
import { type ApnsSettings, checkApnsSettings } from '../../src/push/apns/options.js';
import { ApnsProvider } from '../../src/push/apns/provider.js';
import type { PushDelivery, PushNotification, PushTarget } from '../../src/push/provider.js';
import { ManualClock } from '../support/manual-clock.js';
import { ApnsStandIn, type RecordedRequest } from './apns-stand-in.js';

export const START = Date.UTC(2026, 11, 7, 1, 0, 0);
export const TOKEN = 'a1'.repeat(32);
export const CALL_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const teamKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** The team key's public half, to verify provider tokens. */
export const TEAM_PUBLIC_KEY = teamKey.publicKey;
export const P8 = teamKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export function target(overrides: Partial<PushTarget> = {}): PushTarget {
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
    badge: 3,
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

export function decodeJwt(jwt: string, key: KeyObject): { header: unknown; claims: unknown } {
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

export function bearer(request: RecordedRequest | undefined): string {
  assert.ok(request !== undefined, 'a request arrived');
  const value = request.headers.authorization;
  assert.ok(typeof value === 'string' && value.startsWith('bearer '), 'bearer authorization');
  return value.slice('bearer '.length);
}

export function bodyOf(request: RecordedRequest | undefined): unknown {
  assert.ok(request !== undefined, 'a request arrived');
  return JSON.parse(request.body.toString('utf8'));
}

export interface ApnsFixture {
  readonly standIn: ApnsStandIn;
  readonly clock: ManualClock;
  /** Fresh for each test; a test may replace it (the fixture closes whichever is current). */
  provider: ApnsProvider;
  makeProvider(overrides?: Partial<ApnsSettings>): ApnsProvider;
  requestAt(index: number): RecordedRequest;
}

/** Registers the hooks of a describe block: one stand-in for the block, a new clock and provider per test. */
export function useApnsFixture(): ApnsFixture {
  const logger = pino({ level: 'silent' });
  let standIn: ApnsStandIn | undefined;
  let clock = new ManualClock(START);
  let provider: ApnsProvider | undefined;
  const running = (): ApnsStandIn => {
    assert.ok(standIn !== undefined, 'the stand-in is running');
    return standIn;
  };
  const fixture: ApnsFixture = {
    get standIn() {
      return running();
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
      const checked = checkApnsSettings({
        key: P8,
        keyId: 'ABC123DEFG',
        teamId: 'TEAM456XYZ',
        bundleId: 'com.agprojects.sylk-ios',
        environment: 'production',
        origin: running().origin,
        ca: running().ca,
        requestTimeoutMs: 5000,
        ...overrides,
      });
      assert.ok(checked.ok, JSON.stringify(checked.ok ? [] : checked.problems));
      return new ApnsProvider({ config: checked.value, clock, logger });
    },
    requestAt(index) {
      const request = running().requests[index];
      assert.ok(request !== undefined, `request ${String(index)} arrived`);
      return request;
    },
  };
  before(async () => {
    standIn = await ApnsStandIn.start();
  });
  after(async () => {
    await running().close();
  });
  beforeEach(() => {
    clock = new ManualClock(START);
    // Streams an earlier test left held (one that timed out) must not count as this test's.
    running().releaseAll();
    running().maxHeld = 0;
    running().requests.length = 0;
    running().responder = () => ({ status: 200 });
    provider = fixture.makeProvider();
  });
  afterEach(async () => {
    await provider?.close();
  });
  return fixture;
}
