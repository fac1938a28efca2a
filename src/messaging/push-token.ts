/**
 * A device's push token as the store keeps it (sylk spec §1.4.5, §3.9): an iOS token written
 * `token-backgroundtoken` is split at the first `-`. Each field is bounded (MAX_PUSH_FIELD_CHARS): a token is
 * a few hundred characters, and a client must not make the store keep anything bigger.
 */
import type { PushToken } from '../store/push-tokens/push-token-store.js';
import type { PushTokenRegistration, ServiceResult } from './service.js';

export const MAX_PUSH_FIELD_CHARS = 4096;

export function pushTokenOf(
  account: string,
  registration: PushTokenRegistration,
  now: number,
): ServiceResult<PushToken> {
  const { appId, deviceId, platform, token } = registration;
  for (const value of [appId, deviceId, platform, token]) {
    if (value.trim() === '') return { ok: false, refusal: { kind: 'invalid', reason: 'Missing Push Field' } };
    if (value.length > MAX_PUSH_FIELD_CHARS)
      return { ok: false, refusal: { kind: 'too-large', reason: 'Push Field Too Long' } };
  }
  const dash = token.indexOf('-');
  const split = platform === 'ios' && dash > 0;
  return {
    ok: true,
    value: {
      account,
      appId,
      deviceId,
      platform,
      silent: registration.silent,
      token: split ? token.slice(0, dash) : token,
      ...(split ? { backgroundToken: token.slice(dash + 1) } : {}),
      updatedAt: now,
    },
  };
}
