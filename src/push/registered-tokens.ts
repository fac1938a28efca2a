/**
 * The push tokens of SIP devices, from the push parameters of their REGISTER contacts (RFC 8599 `pn-provider`,
 * `pn-prid`, `pn-param`, and Sylk's `pn-type`, `pn-tok`, `pn-app`, `pn-device`, `pn-silent`), kept in the
 * token store beside those of the sylkRTC API (sylk spec §3.9): `missive db show`, the admin API and `missive
 * db remove push_token` see SIP devices, and their message pushes (sylk spec §5.1) reach them like any other.
 *
 * One token per (account, app, device) (pn-target.ts says which), written in place on every REGISTER that
 * carries it. It goes when the device removes its binding (`expires=0`, `Contact: *`) and no other live
 * binding of the same device remains, or when the provider says it is gone (dispatcher.ts), or by hand. It
 * does not go when the binding merely expires or its connection closes: a phone asleep is exactly what a push
 * is for, and a phone that stops registering for good is told apart by its push service, not by missive.
 */
import { pushTokenOf } from '../messaging/push-token.js';
import type { RegistrationChange, RegistrationListener } from '../registrar/options.js';
import type { Binding } from '../store/location/binding.js';
import type { PushToken, PushTokenStore } from '../store/push-tokens/push-token-store.js';
import type { Clock } from '../time/clock.js';
import { pushDeviceOf } from './pn-target.js';

export class RegisteredPushTokens implements RegistrationListener {
  readonly #tokens: PushTokenStore;
  readonly #clock: Clock;

  constructor(tokens: PushTokenStore, clock: Clock) {
    this.#tokens = tokens;
    this.#clock = clock;
  }

  async changed(change: RegistrationChange): Promise<void> {
    const now = this.#clock.now();
    for (const binding of change.stored) {
      const token = tokenOf(binding, now);
      if (token !== undefined) await this.#tokens.upsert(token);
    }
    if (change.removed.length === 0) return;
    const stillRegistered = new Set(
      change.live.flatMap((binding) => {
        const token = tokenOf(binding, now);
        return token === undefined ? [] : [deviceKey(token)];
      }),
    );
    for (const binding of change.removed) {
      const token = tokenOf(binding, now);
      if (token === undefined || stillRegistered.has(deviceKey(token))) continue;
      // Only the very token this binding gave: the device may have stored a newer one another way since.
      const stored = (await this.#tokens.list(token.account)).find(
        (candidate) => candidate.appId === token.appId && candidate.deviceId === token.deviceId,
      );
      if (
        stored !== undefined &&
        stored.token === token.token &&
        (stored.backgroundToken ?? '') === (token.backgroundToken ?? '')
      )
        await this.#tokens.remove(token.account, token.appId, token.deviceId);
    }
  }
}

/** The stored token of a binding with push parameters; undefined without them or with fields out of bounds. */
export function tokenOf(binding: Binding, now: number): PushToken | undefined {
  if (binding.push === undefined) return undefined;
  const device = pushDeviceOf(binding.push, binding.instanceId);
  const made = pushTokenOf(
    binding.aor,
    {
      appId: device.appId,
      deviceId: device.deviceId,
      platform: device.platform,
      token: device.prid,
      silent: device.silent,
    },
    now,
  );
  if (!made.ok) return undefined;
  return binding.userAgent === undefined ? made.value : { ...made.value, userAgent: binding.userAgent };
}

function deviceKey(token: PushToken): string {
  return `${token.appId}\n${token.deviceId}`;
}
