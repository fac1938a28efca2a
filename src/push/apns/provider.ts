/** The Apple Push Notification service provider: one push to one device over the kept HTTP/2 session. */
import { logPushOutcome } from '../outcome-log.js';
import type { Logger } from 'pino';
import type { Clock } from '../../time/clock.js';
import type { PushDelivery, PushOutcome, PushProvider } from '../provider.js';
import { apnsVerdict, reasonOf } from './answer.js';
import { Http2Connection } from './connection.js';
import type { Checked, ReadText } from '../settings-check.js';
import { type ApnsConfig, type ApnsSettings, checkApnsSettings } from './options.js';
import { ApnsProviderToken } from './provider-token.js';
import { apnsRequest } from './request.js';

export interface ApnsProviderOptions {
  /** From `checkApnsSettings`. */
  readonly config: ApnsConfig;
  readonly clock: Clock;
  readonly logger: Logger;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class ApnsProvider implements PushProvider {
  readonly kind = 'apns' as const;
  readonly #config: ApnsConfig;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #token: ApnsProviderToken;
  readonly #connection: Http2Connection;
  #closed = false;

  constructor(options: ApnsProviderOptions) {
    const { config, clock } = options;
    this.#config = config;
    this.#clock = clock;
    this.#logger = options.logger.child({ provider: 'apns' });
    this.#token = new ApnsProviderToken(config.key, config.keyId, config.teamId, clock);
    this.#connection = new Http2Connection({
      origin: config.origin,
      ca: config.ca,
      maxConcurrentStreams: config.maxConcurrentStreams,
      requestTimeoutMs: config.requestTimeoutMs,
      clock,
      logger: this.#logger,
    });
  }

  /** Sessions opened so far: 1 while the first one is kept (for metrics and tests). */
  get sessionsOpened(): number {
    return this.#connection.sessionsOpened;
  }

  async send(delivery: PushDelivery): Promise<PushOutcome> {
    try {
      const outcome = await this.#send(delivery);
      logPushOutcome(this.#logger, 'APNs', delivery, outcome);
      return outcome;
    } catch (error) {
      this.#logger.error(
        { err: error, callId: delivery.notification.callId },
        'APNs send failed unexpectedly',
      );
      return { kind: 'failed', reason: `APNs: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection.close();
  }

  async #send(delivery: PushDelivery): Promise<PushOutcome> {
    if (this.#closed) return { kind: 'failed', reason: 'APNs provider closed' };
    const built = apnsRequest(delivery, {
      bundleId: this.#config.bundleId,
      nowMs: this.#clock.now(),
      messageTtlSeconds: this.#config.messageTtlSeconds,
      wakeTtlSeconds: this.#config.wakeTtlSeconds,
    });
    if (!built.ok) {
      // A token that is not hex would be refused as BadDeviceToken; it is not sent at all.
      return built.problem === 'bad-token'
        ? { kind: 'token-gone', reason: `APNs BadDeviceToken (not sent: ${built.detail})` }
        : { kind: 'failed', reason: `APNs payload too big (${built.detail})` };
    }
    const jwt = this.#token.current();
    const result = await this.#connection.request(
      {
        ':method': 'POST',
        ':path': built.request.path,
        authorization: `bearer ${jwt}`,
        ...built.request.headers,
      },
      built.request.body,
    );
    if (!result.ok) return { kind: 'retry', reason: `APNs unreachable: ${result.error}` };
    const { answer } = result;
    const verdict = apnsVerdict(
      {
        status: answer.status,
        reason: answer.status === 200 ? undefined : reasonOf(answer.body),
        retryAfter: headerText(answer.headers['retry-after']),
      },
      this.#clock.now(),
    );
    if (verdict.renewProvider) this.#token.renewAfterRefusal(jwt);
    return verdict.outcome;
  }
}

/** Checks the settings and, when they are right, makes the provider; else the problems, each naming its setting. */
export function apnsProviderFrom(
  settings: ApnsSettings,
  dependencies: { readonly clock: Clock; readonly logger: Logger; readonly readText?: ReadText },
): Checked<ApnsProvider> {
  const checked = checkApnsSettings(settings, dependencies.readText);
  if (!checked.ok) return checked;
  return {
    ok: true,
    value: new ApnsProvider({
      config: checked.value,
      clock: dependencies.clock,
      logger: dependencies.logger,
    }),
  };
}
