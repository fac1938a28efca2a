/**
 * The push target of a SIP device's push parameters (RFC 8599 §4.1 and the Sylk set, src/registrar/push.ts).
 * The provider's name becomes the platform the gateway knows (sylk-pushserver maps `apple` and `firebase`,
 * as it does `ios` and `android`); the app id, by which push_apps chooses the provider, is the device's
 * `pn-app` when it sent one (Sylk clients do), else what RFC 8599's `pn-param` names: for `apns` the topic
 * after the team id (`ABCDE12345.com.example.app.voip` → `com.example.app.voip`), for `fcm` the project id.
 */
import type { SleepingDevice } from '../routing/device-waker.js';
import type { PushTarget } from './provider.js';

/** RFC 8599 pn-provider values → the platform names sylk-pushserver takes; Sylk pn-type values pass as they are. */
const PLATFORM_OF_PROVIDER: Readonly<Record<string, string>> = {
  apns: 'apple',
  fcm: 'firebase',
};

export function pushTargetOf(device: SleepingDevice): PushTarget {
  const { provider, prid, param, extra } = device.push;
  const name = provider.toLowerCase();
  return {
    account: device.aor,
    appId: extra['pn-app'] ?? appIdOfParam(name, param) ?? name,
    deviceId: extra['pn-device'] ?? device.instanceId ?? device.contact,
    platform: PLATFORM_OF_PROVIDER[name] ?? name,
    token: prid,
    silent: extra['pn-silent'] === '1',
  };
}

function appIdOfParam(provider: string, param: string | undefined): string | undefined {
  if (param === undefined || param === '') return undefined;
  if (provider !== 'apns') return param;
  const dot = param.indexOf('.');
  return dot > 0 ? param.slice(dot + 1) : param;
}
