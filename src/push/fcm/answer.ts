/**
 * What an FCM HTTP v1 answer means for the push (Firebase, "FCM error codes"): the status and the error's
 * details (`google.firebase.fcm.v1.FcmError` errorCode, `google.rpc.BadRequest` field violations).
 */
import type { PushOutcome } from '../provider.js';

export interface FcmAnswer {
  readonly status: number;
  readonly body: Buffer;
  readonly retryAfterMs: number | undefined;
}

export interface FcmError {
  /** The FcmError errorCode (UNREGISTERED, INVALID_ARGUMENT, QUOTA_EXCEEDED…), else the error's status. */
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** A BadRequest field violation names the registration token. */
  readonly aboutToken: boolean;
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `{"error": {"code", "message", "status", "details": [...]}}` (google.rpc.Status); anything else is unknown. */
export function fcmErrorOf(body: Buffer): FcmError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { code: undefined, message: undefined, aboutToken: false };
  }
  const error = record(record(parsed)?.error);
  const details = Array.isArray(error?.details) ? error.details.map(record) : [];
  let errorCode: string | undefined;
  let aboutToken = false;
  for (const detail of details) {
    if (detail?.['@type'] === FCM_ERROR_TYPE && typeof detail.errorCode === 'string')
      errorCode = detail.errorCode;
    if (detail?.['@type'] === BAD_REQUEST_TYPE && Array.isArray(detail.fieldViolations)) {
      aboutToken ||= detail.fieldViolations.some((v) => record(v)?.field === 'message.token');
    }
  }
  const status = typeof error?.status === 'string' ? error.status : undefined;
  const message = typeof error?.message === 'string' ? error.message.slice(0, 200) : undefined;
  return { code: errorCode ?? status, message, aboutToken };
}

export interface FcmVerdict {
  readonly outcome: PushOutcome;
  /** FCM refused the access token: the next send must fetch a new one. */
  readonly dropAccessToken: boolean;
}

export function fcmVerdict(answer: FcmAnswer): FcmVerdict {
  const { status } = answer;
  if (status === 200) return { outcome: { kind: 'sent' }, dropAccessToken: false };
  const error = fcmErrorOf(answer.body);
  const reason = ['FCM', String(status), error.code, error.message]
    .filter((part) => part !== undefined)
    .join(' ');
  const outcome = (kind: 'token-gone' | 'failed'): FcmVerdict => ({
    outcome: { kind, reason },
    dropAccessToken: false,
  });
  if (status === 404 || error.code === 'UNREGISTERED') return outcome('token-gone');
  // INVALID_ARGUMENT is about the token only when a field violation says so; else it is about the payload.
  if (status === 400 && error.code === 'INVALID_ARGUMENT' && error.aboutToken) return outcome('token-gone');
  if (status === 401) return { outcome: { kind: 'retry', reason }, dropAccessToken: true };
  if (status === 429 || status >= 500) {
    const retry: PushOutcome =
      answer.retryAfterMs === undefined
        ? { kind: 'retry', reason }
        : { kind: 'retry', reason, afterMs: answer.retryAfterMs };
    return { outcome: retry, dropAccessToken: false };
  }
  return outcome('failed');
}
