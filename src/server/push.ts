/** Push dispatch as `missive serve` builds it: the providers of the [Push] settings and the dispatcher. */
import type { Logger } from 'pino';
import { PushDispatcher } from '../push/dispatcher.js';
import { pushProviderFactories } from '../push/provider-factories.js';
import { buildPushProviders, type PushProviders } from '../push/provider-registry.js';
import { DEFAULT_PUSH_SETTINGS, type PushSettings } from '../push/push-settings.js';
import type { Store } from '../store/store.js';
import { systemClock } from '../time/clock.js';

export function startPush(settings: PushSettings | undefined, store: Store, logger: Logger): PushDispatcher {
  const push = settings ?? DEFAULT_PUSH_SETTINGS;
  const providers = pushProvidersOf(push, logger);
  logPush(push, providers, logger);
  return new PushDispatcher({
    tokens: store.pushTokens,
    providers,
    settings: push.dispatch,
    clock: systemClock,
    logger,
  });
}

/** The providers of the [Push] settings; throws PushCredentialsError for credentials that cannot be used. */
export function pushProvidersOf(push: PushSettings, logger: Logger): PushProviders {
  return buildPushProviders(push.providers, pushProviderFactories(systemClock, logger), systemClock, logger);
}

export function logPush(push: PushSettings, providers: PushProviders, logger: Logger): void {
  if (providers.empty) logger.info({ configure: '[Push] push_url or push_apps' }, 'push off');
  else
    logger.info(
      {
        gateway: push.providers.gatewayUrl,
        apps: push.providers.apps.map((app) => `${app.appId}:${app.kind}`),
        content: push.dispatch.contentMode,
      },
      'push on',
    );
}
