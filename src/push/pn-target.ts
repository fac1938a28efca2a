/**
 * The push target of a SIP device's push parameters (RFC 8599 §4.1 and the Sylk set, src/registrar/push.ts).
 * The provider's name becomes the platform the gateway knows (sylk-pushserver maps `apple` and `firebase`,
 * as it does `ios` and `android`); the app id, by which push_apps chooses the provider, is the device's
 * `pn-app` when it sent one (Sylk clients do), else what RFC 8599's `pn-param` names: for `apns` the topic
 * after the team id (`ABCDE12345.com.example.app.voip` → `com.example.app.voip`), for `fcm` the project id.
 * The device id is `pn-device` when sent, else the `+sip.instance`, else the PRID: never the Contact URI,
 * whose port changes with every connection, so that the device keeps one stored token (registered-tokens.ts).
 */
import type { SleepingDevice } from '../routing/device-waker.js';
import type { PushParameters } from '../store/location/binding.js';
import type { PushTarget } from './provider.js';

/** RFC 8599 pn-provider values → the platform names sylk-pushserver takes; Sylk pn-type values pass as they are. */
const PLATFORM_OF_PROVIDER: Readonly<Record<string, string>> = {
  apns: 'apple',
  fcm: 'firebase',
};

/** A SIP device's push identity: what its stored token and its wake pushes are made of. */
export interface PushDevice {
  readonly appId: string;
  readonly deviceId: string;
  readonly platform: string;
  /** The PRID as sent (a Sylk iOS device's `voiptoken-backgroundtoken` whole). */
  readonly prid: string;
  readonly silent: boolean;
}

export function pushDeviceOf(push: PushParameters, instanceId: string | undefined): PushDevice {
  const { provider, prid, param, extra } = push;
  const name = provider.toLowerCase();
  return {
    appId: extra['pn-app'] ?? appIdOfParam(name, param) ?? name,
    deviceId: extra['pn-device'] ?? instanceId ?? prid,
    platform: PLATFORM_OF_PROVIDER[name] ?? name,
    prid,
    silent: extra['pn-silent'] === '1',
  };
}

/**
 * The target of a wake for `method`. A Sylk iOS device's `voiptoken-backgroundtoken` (sylk spec §3.9) is
 * woken on its VoIP token for an INVITE (a call) and on its background token for anything else.
 */
export function pushTargetOf(device: SleepingDevice, method = 'INVITE'): PushTarget {
  const { appId, deviceId, platform, prid, silent } = pushDeviceOf(device.push, device.instanceId);
  const dash = prid.indexOf('-');
  const split = platform === 'ios' && dash > 0;
  const token = !split ? prid : method === 'INVITE' ? prid.slice(0, dash) : prid.slice(dash + 1);
  return { account: device.aor, appId, deviceId, platform, token, silent };
}

function appIdOfParam(provider: string, param: string | undefined): string | undefined {
  if (param === undefined || param === '') return undefined;
  if (provider !== 'apns') return param;
  const dot = param.indexOf('.');
  return dot > 0 ? param.slice(dot + 1) : param;
}
