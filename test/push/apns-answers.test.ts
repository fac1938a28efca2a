/**
 * What each APNs answer turns into: sent, token-gone, retry (with Retry-After) or failed, with Apple's reason.
 * Against a local stand-in for APNs, which cannot run here (apns-fixture.ts, apns-stand-in.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { START, delivery, useApnsFixture } from './apns-fixture.js';

describe('APNs provider: answers', () => {
  const f = useApnsFixture();

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
      f.standIn.responder = () => ({
        status,
        headers,
        body: reason === undefined ? 'Bad Gateway' : JSON.stringify({ reason, timestamp: START }),
      });
      assert.deepEqual(await f.provider.send(delivery()), expected);
    });
  }
});
