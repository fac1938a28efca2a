/**
 * The APNs and FCM providers made from the [Push] settings (provider-registry.ts calls these): one APNs
 * provider per app, since an app's bundle id is its `apns-topic` and each keeps its own HTTP/2 session; one
 * FCM provider for the service account's project. Credentials that cannot be used stop the start with the
 * setting to change (PushCredentialsError), never a push that fails later for every device.
 */
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import { apnsProviderFrom } from './apns/provider.js';
import { fcmProviderFrom } from './fcm/provider.js';
import type { PushDelivery, PushOutcome, PushProvider } from './provider.js';
import type { PushProviderFactories } from './provider-registry.js';
import type { Checked } from './settings-check.js';

/** The [Push] key of each provider option, for the start error. */
const INI_KEYS: Readonly<Record<string, string>> = {
  key: 'apns_key_file',
  keyId: 'apns_key_id',
  teamId: 'apns_team_id',
  bundleId: 'push_apps',
  environment: 'apns_environment',
  serviceAccount: 'fcm_service_account_file',
  tokenUrl: 'fcm_token_url',
};

export class PushCredentialsError extends Error {}

export function pushProviderFactories(clock: Clock, logger: Logger): PushProviderFactories {
  return {
    apns: (settings) =>
      new ProviderPerApp(
        new Map(
          settings.appIds.map((appId) => [
            appId,
            usable(
              apnsProviderFrom(
                {
                  key: settings.keyFile,
                  keyId: settings.keyId,
                  teamId: settings.teamId,
                  bundleId: appId,
                  environment: settings.environment === 'sandbox' ? 'development' : 'production',
                  ...(settings.origin === undefined ? {} : { origin: settings.origin }),
                  requestTimeoutMs: settings.timeoutMs,
                },
                { clock, logger },
              ),
              `APNs for ${appId}`,
              'apns_origin',
            ),
          ]),
        ),
      ),
    fcm: (settings) =>
      usable(
        fcmProviderFrom(
          {
            serviceAccount: settings.serviceAccountFile,
            requestTimeoutMs: settings.timeoutMs,
            ...(settings.origin === undefined ? {} : { origin: settings.origin }),
            ...(settings.tokenUrl === undefined ? {} : { tokenUrl: settings.tokenUrl }),
          },
          { clock, logger },
        ),
        'FCM',
        'fcm_origin',
      ),
  };
}

function usable<T>(checked: Checked<T>, what: string, originKey: string): T {
  if (checked.ok) return checked.value;
  const keys: Readonly<Record<string, string>> = { ...INI_KEYS, origin: originKey };
  const problems = checked.problems.map(
    (problem) => `[Push] ${keys[problem.setting] ?? problem.setting}: ${problem.message}`,
  );
  throw new PushCredentialsError(`${what} cannot be used: ${problems.join('; ')}`);
}

/** The APNs providers of several apps behind one: each push goes to its app's. */
class ProviderPerApp implements PushProvider {
  readonly kind = 'apns' as const;
  readonly #byApp: ReadonlyMap<string, PushProvider>;

  constructor(byApp: ReadonlyMap<string, PushProvider>) {
    this.#byApp = byApp;
  }

  send(delivery: PushDelivery): Promise<PushOutcome> {
    const provider = this.#byApp.get(delivery.target.appId);
    return provider === undefined
      ? Promise.resolve({ kind: 'failed', reason: `no APNs provider for app ${delivery.target.appId}` })
      : provider.send(delivery);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#byApp.values()].map((provider) => provider.close()));
  }
}
