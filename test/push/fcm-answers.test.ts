/**
 * What each FCM answer turns into: sent, token-gone (read from the FcmError and BadRequest details), retry (with Retry-After) or failed.
 * Against local stand-ins for Google's token endpoint and FCM, which cannot run here (fcm-fixture.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpAnswer } from './http-stand-in.js';
import { delivery, fcmError, useFcmFixture } from './fcm-fixture.js';

describe('FCM provider: answers', () => {
  const f = useFcmFixture();

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
      f.fcm.responder = () => answer;
      assert.deepEqual(await f.provider.send(delivery()), expected);
    });
  }
});
