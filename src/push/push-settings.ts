/** What `missive serve` runs push dispatch with (from the [Push] settings, src/config/sections/push.ts). */
import type { PushDispatchSettings } from './dispatcher.js';
import type { PushProvidersConfig } from './provider-registry.js';

export interface PushSettings {
  readonly providers: PushProvidersConfig;
  readonly dispatch: PushDispatchSettings;
  /** RFC 8599: how long a request for a woken SIP device waits for its new REGISTER. */
  readonly wakeTimeoutMs: number;
}

/** The [Push] defaults: no provider (nothing is sent until one is configured). */
export const DEFAULT_PUSH_SETTINGS: PushSettings = {
  providers: { timeoutMs: 10_000, apps: [] },
  dispatch: { contentMode: 'full', limit: 10_000, concurrency: 16, retryWindowMs: 120_000 },
  wakeTimeoutMs: 20_000,
};
