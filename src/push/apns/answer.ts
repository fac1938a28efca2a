/**
 * What an APNs answer means for the push (Apple, "Handling notification responses from APNs"): the status
 * and the `reason` of the JSON body decide between sent, token gone, retry and failed.
 */
import type { PushOutcome } from '../provider.js';
import { parseRetryAfter } from '../retry-after.js';

export interface ApnsAnswer {
  readonly status: number;
  /** The body's `reason`, when the body is JSON with one. */
  readonly reason: string | undefined;
  readonly retryAfter: string | undefined;
}

export interface ApnsVerdict {
  readonly outcome: PushOutcome;
  /** APNs refused the provider token: the next send must sign a new one. */
  readonly renewProvider: boolean;
}

const TOKEN_GONE_400 = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic']);
const PROVIDER_TOKEN_REFUSED = new Set(['ExpiredProviderToken', 'InvalidProviderToken']);

/** Apple's body is `{"reason": "...", "timestamp": ...}`; anything else leaves the reason unknown. */
export function reasonOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'reason' in parsed &&
      typeof parsed.reason === 'string'
    ) {
      return parsed.reason.slice(0, 100);
    }
  } catch {
    // not JSON: the status alone decides
  }
  return undefined;
}

export function apnsVerdict(answer: ApnsAnswer, nowMs: number): ApnsVerdict {
  const outcome = apnsOutcome(answer, nowMs);
  const renewProvider =
    answer.status === 403 && answer.reason !== undefined && PROVIDER_TOKEN_REFUSED.has(answer.reason);
  return { outcome, renewProvider };
}

function apnsOutcome(answer: ApnsAnswer, nowMs: number): PushOutcome {
  const { status } = answer;
  const reason = `APNs ${String(status)}${answer.reason === undefined ? '' : ` ${answer.reason}`}`;
  if (status === 200) return { kind: 'sent' };
  if (status === 410) return { kind: 'token-gone', reason };
  if (status === 400 && answer.reason !== undefined && TOKEN_GONE_400.has(answer.reason)) {
    return { kind: 'token-gone', reason };
  }
  if (status === 403 && answer.reason !== undefined && PROVIDER_TOKEN_REFUSED.has(answer.reason)) {
    return { kind: 'retry', reason };
  }
  if (status === 429 || status >= 500) {
    const afterMs = parseRetryAfter(answer.retryAfter, nowMs);
    return afterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, afterMs };
  }
  return { kind: 'failed', reason };
}
