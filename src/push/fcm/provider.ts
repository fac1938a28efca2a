/** The Firebase Cloud Messaging (HTTP v1) provider: one push to one device, with a kept OAuth 2 access token. */
import { logPushOutcome } from '../outcome-log.js';
import type { Logger } from 'pino';
import type { Clock } from '../../time/clock.js';
import { post } from '../http-post.js';
import type { PushDelivery, PushOutcome, PushProvider } from '../provider.js';
import { FcmAccessToken } from './access-token.js';
import { fcmVerdict } from './answer.js';
import { fcmMessage } from './message.js';
import type { Checked, ReadText } from '../settings-check.js';
import { checkFcmSettings, type FcmConfig, type FcmSettings } from './options.js';

export interface FcmProviderOptions {
  /** From `checkFcmSettings`. */
  readonly config: FcmConfig;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** FCM's answers are a name or a short error; more than this is not FCM. */
const MAX_ANSWER_BYTES = 16_384;

export class FcmProvider implements PushProvider {
  readonly kind = 'fcm' as const;
  readonly #config: FcmConfig;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #accessToken: FcmAccessToken;
  readonly #url: string;
  #closed = false;

  constructor(options: FcmProviderOptions) {
    const { config, clock } = options;
    this.#config = config;
    this.#clock = clock;
    this.#logger = options.logger.child({ provider: 'fcm' });
    this.#accessToken = new FcmAccessToken(config.account, clock, config.requestTimeoutMs);
    this.#url = `${config.origin}/v1/projects/${encodeURIComponent(config.projectId)}/messages:send`;
  }

  /** Access tokens fetched so far (for metrics and tests). */
  get accessTokenFetches(): number {
    return this.#accessToken.fetches;
  }

  async send(delivery: PushDelivery): Promise<PushOutcome> {
    try {
      const outcome = await this.#send(delivery);
      logPushOutcome(this.#logger, 'FCM', delivery, outcome);
      return outcome;
    } catch (error) {
      this.#logger.error(
        { err: error, callId: delivery.notification.callId },
        'FCM send failed unexpectedly',
      );
      return { kind: 'failed', reason: `FCM: ${(error as Error).message}` };
    }
  }

  close(): Promise<void> {
    // fetch keeps no connection of its own to close; later sends are refused.
    this.#closed = true;
    return Promise.resolve();
  }

  async #send(delivery: PushDelivery): Promise<PushOutcome> {
    if (this.#closed) return { kind: 'failed', reason: 'FCM provider closed' };
    const built = fcmMessage(delivery, this.#config);
    if (!built.ok) {
      return built.problem === 'bad-token'
        ? { kind: 'token-gone', reason: `FCM INVALID_ARGUMENT (not sent: ${built.detail})` }
        : { kind: 'failed', reason: `FCM payload too big (${built.detail})` };
    }
    const access = await this.#accessToken.get();
    if (!access.ok) return { kind: access.retry ? 'retry' : 'failed', reason: `FCM ${access.reason}` };
    const result = await post(this.#url, {
      headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: built.body,
      timeoutMs: this.#config.requestTimeoutMs,
      maxAnswerBytes: MAX_ANSWER_BYTES,
      clock: this.#clock,
    });
    if (!result.ok) return { kind: 'retry', reason: `FCM unreachable: ${result.error}` };
    const verdict = fcmVerdict(result.answer);
    if (verdict.dropAccessToken) this.#accessToken.refused(access.token);
    return verdict.outcome;
  }
}

/** Checks the settings and, when they are right, makes the provider; else the problems, each naming its setting. */
export function fcmProviderFrom(
  settings: FcmSettings,
  dependencies: { readonly clock: Clock; readonly logger: Logger; readonly readText?: ReadText },
): Checked<FcmProvider> {
  const checked = checkFcmSettings(settings, dependencies.readText);
  if (!checked.ok) return checked;
  return {
    ok: true,
    value: new FcmProvider({ config: checked.value, clock: dependencies.clock, logger: dependencies.logger }),
  };
}
