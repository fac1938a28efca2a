/** The value kind only the [Push] settings use: an `app-id:provider` pair. */
import type { AppProviderChoice } from '../push/provider-registry.js';
import type { PushProviderKind } from '../push/provider.js';
import type { Parsed, ValueKind } from './setting-values.js';

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const no = (expected: string): Parsed<never> => ({ ok: false, expected });

/** The provider names an operator writes; `gateway` is the sylk-pushserver. */
const PROVIDER_NAMES: Readonly<Record<string, PushProviderKind>> = {
  apns: 'apns',
  fcm: 'fcm',
  gateway: 'sylk-pushserver',
  'sylk-pushserver': 'sylk-pushserver',
};

const APP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** `com.example.app:apns`: the application id and the provider its devices' pushes go through. */
export const pushApp: ValueKind<AppProviderChoice> = {
  argument: 'app-id:provider',
  list: false,
  show: (choice) => `${choice.appId}:${choice.kind === 'sylk-pushserver' ? 'gateway' : choice.kind}`,
  parse: (value) => {
    const colon = value.lastIndexOf(':');
    const appId = value.slice(0, Math.max(colon, 0)).trim();
    const kind =
      PROVIDER_NAMES[
        value
          .slice(colon + 1)
          .trim()
          .toLowerCase()
      ];
    return colon > 0 && APP_ID.test(appId) && kind !== undefined
      ? ok({ appId, kind })
      : no('an application id and a provider (apns, fcm or gateway), e.g. com.example.app:apns');
  },
};
