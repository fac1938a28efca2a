/**
 * Which provider sends a device's push: the one the operator configured for the device's application id
 * (`apps = com.example.app:apns, com.example.android:fcm`), else the sylk-pushserver gateway when its URL
 * is set (SylkServer's only way), else none. The APNs and FCM providers are built by factory functions the
 * composition root passes in (src/server/push.ts), so this file depends on no provider but the gateway.
 */
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { PushProvider, PushProviderKind } from './provider.js';
import { GatewayProvider } from './sylk-pushserver/gateway-provider.js';

export interface AppProviderChoice {
  readonly appId: string;
  readonly kind: PushProviderKind;
}

/** What an APNs provider is made from: Apple's token-based authentication (a `.p8` key) and the apps it serves. */
export interface ApnsProviderSettings {
  readonly appIds: readonly string[];
  readonly keyFile: string;
  readonly keyId: string;
  readonly teamId: string;
  readonly environment: 'production' | 'sandbox';
  /** Replaces Apple's server (a test stand-in, a proxy); undefined: the environment's. */
  readonly origin?: string | undefined;
  readonly timeoutMs: number;
}

/** What an FCM provider is made from: a Google service account key file (JSON) and the apps it serves. */
export interface FcmProviderSettings {
  readonly appIds: readonly string[];
  readonly serviceAccountFile: string;
  /** Replaces https://fcm.googleapis.com (a test stand-in, a proxy). */
  readonly origin?: string | undefined;
  /** Where access tokens are fetched instead of the key's token_uri (a test stand-in, a proxy). */
  readonly tokenUrl?: string | undefined;
  readonly timeoutMs: number;
}

export interface PushProviderFactories {
  readonly apns?: ((settings: ApnsProviderSettings) => PushProvider) | undefined;
  readonly fcm?: ((settings: FcmProviderSettings) => PushProvider) | undefined;
}

export interface PushProvidersConfig {
  /** The sylk-pushserver URL; the provider of every app not in `apps`. */
  readonly gatewayUrl?: string | undefined;
  readonly timeoutMs: number;
  readonly apps: readonly AppProviderChoice[];
  readonly apns?: Omit<ApnsProviderSettings, 'appIds' | 'timeoutMs'> | undefined;
  readonly fcm?: Omit<FcmProviderSettings, 'appIds' | 'timeoutMs'> | undefined;
}

export class PushProviders {
  readonly #byApp: ReadonlyMap<string, PushProvider>;
  readonly #fallback: PushProvider | undefined;

  constructor(byApp: ReadonlyMap<string, PushProvider>, fallback?: PushProvider) {
    this.#byApp = byApp;
    this.#fallback = fallback;
  }

  /** The provider for `appId`; undefined when nothing is configured for it. */
  forApp(appId: string): PushProvider | undefined {
    return this.#byApp.get(appId) ?? this.#fallback;
  }

  /** Whether any provider is configured at all. */
  get empty(): boolean {
    return this.#byApp.size === 0 && this.#fallback === undefined;
  }

  async close(): Promise<void> {
    const all = new Set([...this.#byApp.values(), ...(this.#fallback === undefined ? [] : [this.#fallback])]);
    await Promise.all([...all].map((provider) => provider.close()));
  }
}

/**
 * The providers of a configuration. An app whose provider cannot be made (no factory for it in this build, or
 * its credentials missing) falls back to the gateway, and the problem is logged once, here, at start.
 */
export function buildPushProviders(
  config: PushProvidersConfig,
  factories: PushProviderFactories,
  clock: Clock,
  logger?: Logger,
): PushProviders {
  const gateway =
    config.gatewayUrl === undefined
      ? undefined
      : new GatewayProvider({ url: config.gatewayUrl, timeoutMs: config.timeoutMs, clock });
  const appsOf = (kind: PushProviderKind): string[] =>
    config.apps.filter((app) => app.kind === kind).map((app) => app.appId);
  const made = new Map<PushProviderKind, PushProvider | undefined>([['sylk-pushserver', gateway]]);
  const apnsApps = appsOf('apns');
  if (apnsApps.length > 0)
    made.set(
      'apns',
      make('apns', factories.apns, config.apns, (apns) => ({
        ...apns,
        appIds: apnsApps,
        timeoutMs: config.timeoutMs,
      })),
    );
  const fcmApps = appsOf('fcm');
  if (fcmApps.length > 0)
    made.set(
      'fcm',
      make('fcm', factories.fcm, config.fcm, (fcm) => ({
        ...fcm,
        appIds: fcmApps,
        timeoutMs: config.timeoutMs,
      })),
    );
  const byApp = new Map<string, PushProvider>();
  for (const app of config.apps) {
    const provider = made.get(app.kind);
    if (provider !== undefined) byApp.set(app.appId, provider);
    else
      logger?.warn(
        { app: app.appId, provider: app.kind, fallback: gateway === undefined ? 'none' : 'sylk-pushserver' },
        'push provider not available for this app',
      );
  }
  return new PushProviders(byApp, gateway);

  function make<S, C>(
    kind: PushProviderKind,
    factory: ((settings: S) => PushProvider) | undefined,
    credentials: C | undefined,
    settings: (credentials: C) => S,
  ): PushProvider | undefined {
    if (factory === undefined) {
      logger?.error({ provider: kind }, 'push provider not in this build');
      return undefined;
    }
    if (credentials === undefined) {
      logger?.error({ provider: kind }, 'push provider has no credentials configured');
      return undefined;
    }
    return factory(settings(credentials));
  }
}
