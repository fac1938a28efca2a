/**
 * The readers of APNs and FCM answer bodies (network input): whatever the bytes, they never throw, and
 * what they take from a body is bounded; the verdict is always one of the four outcomes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { apnsVerdict, reasonOf } from '../../src/push/apns/answer.js';
import { fcmErrorOf, fcmVerdict } from '../../src/push/fcm/answer.js';

const OUTCOMES = new Set(['sent', 'token-gone', 'retry', 'failed']);
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))),
  fc.record({ reason: fc.string() }).map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .record({
      error: fc.record({
        status: fc.string(),
        message: fc.string({ maxLength: 1000 }),
        details: fc.array(
          fc.oneof(fc.jsonValue(), fc.record({ '@type': fc.string(), errorCode: fc.string() })),
        ),
      }),
    })
    .map((value) => Buffer.from(JSON.stringify(value))),
);

describe('push answer readers', () => {
  it('APNs: reasonOf never throws and keeps at most 100 characters', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const reason = reasonOf(body);
        assert.ok(reason === undefined || reason.length <= 100);
      }),
    );
  });

  it('APNs: every status and reason gives one of the four outcomes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.string()),
        fc.option(fc.string()),
        (status, reason, retryAfter) => {
          const verdict = apnsVerdict(
            { status, reason: reason ?? undefined, retryAfter: retryAfter ?? undefined },
            0,
          );
          assert.ok(OUTCOMES.has(verdict.outcome.kind));
          assert.equal(verdict.renewProvider, verdict.renewProvider && status === 403);
        },
      ),
    );
  });

  it('FCM: fcmErrorOf never throws and keeps at most 200 characters of the message', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const error = fcmErrorOf(body);
        assert.ok(error.message === undefined || error.message.length <= 200);
      }),
    );
  });

  it('FCM: every status and body gives one of the four outcomes; only 401 drops the access token', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), bodies, (status, body) => {
        const verdict = fcmVerdict({ status, body, retryAfterMs: undefined });
        assert.ok(OUTCOMES.has(verdict.outcome.kind));
        assert.equal(verdict.dropAccessToken, status === 401);
      }),
    );
  });
});
