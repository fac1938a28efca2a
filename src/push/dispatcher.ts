/**
 * Push dispatch (sylk spec §5): the messaging service's push events become one push per stored device of the account (sylk spec §5.1), each through the provider configured for the device's app (provider-registry.ts), and
 * RFC 8599 wakes for SIP devices go the same way. Nothing here is awaited by the messaging service: a slow or
 * dead provider never delays a sender's 200 or a journal write. A provider's "token gone" removes exactly the
 * token that push went to, and only while the store still holds that token (the device may have sent a new
 * one meanwhile): the reference removes the last device of its loop instead (sylk spec §8 item 16).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MessagePush } from '../messaging/events.js';
import type { PushToken, PushTokenStore } from '../store/push-tokens/push-token-store.js';
import type { Clock } from '../time/clock.js';
import { deviceKey, MessageWakes } from './message-wakes.js';
import type { PushDelivery, PushNotification, PushOutcome, PushProvider, PushTarget } from './provider.js';
import type { PushProviders } from './provider-registry.js';
import { type FinalOutcome, PushQueue, type PushQueueSettings } from './push-queue.js';
import { PushStats, type PushStatsSnapshot } from './push-stats.js';

/** `full`: the reference's payload, message content included; `minimal`: sender and badge only. */
export type PushContentMode = 'full' | 'minimal';

export interface PushDispatchSettings extends PushQueueSettings {
  readonly contentMode: PushContentMode;
}

export interface PushDispatcherOptions {
  readonly tokens: PushTokenStore;
  readonly providers: PushProviders;
  readonly settings: PushDispatchSettings;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** A fresh id per message (sylk spec §5.2 `call-id`); default a UUIDv4. */
  readonly newCallId?: (() => string) | undefined;
  /** [0, 1), for the backoff's jitter; default Math.random. */
  readonly random?: (() => number) | undefined;
  /**
   * How long an RFC 8599 wake for a MESSAGE waits for the message push to the same device, so that the
   * device gets one push (message-wakes.ts). Default 5 s: the journal write before it takes milliseconds.
   */
  readonly messageWakeWaitMs?: number | undefined;
}

const DEFAULT_MESSAGE_WAKE_WAIT_MS = 5_000;

export class PushDispatcher {
  readonly #options: PushDispatcherOptions;
  readonly #stats = new PushStats();
  readonly #queue: PushQueue;
  readonly #messageWakes: MessageWakes;
  readonly #newCallId: () => string;
  /** Apps already warned about having no provider: one warning each, not one per message. */
  readonly #warnedApps = new Set<string>();
  /** Work started by push events (token lookups, sends, removals), for close() and tests. */
  readonly #busy = new Set<Promise<unknown>>();
  /** A SIGHUP may replace them (replaceProviders); the queue, its bounds and the token store stay. */
  #providers: PushProviders;
  #contentMode: PushContentMode;

  constructor(options: PushDispatcherOptions) {
    this.#options = options;
    this.#newCallId = options.newCallId ?? randomUUID;
    this.#providers = options.providers;
    this.#contentMode = options.settings.contentMode;
    this.#messageWakes = new MessageWakes(
      options.clock,
      options.messageWakeWaitMs ?? DEFAULT_MESSAGE_WAKE_WAIT_MS,
    );
    this.#queue = new PushQueue({
      settings: options.settings,
      clock: options.clock,
      stats: this.#stats,
      random: options.random,
      logger: options.logger,
    });
  }

  /** The hook for AccountSubscriptions' onPush: returns at once, the pushes go on their own. */
  readonly onMessagePush = (push: MessagePush): void => {
    this.#track(this.#messagePush(push));
  };

  /**
   * RFC 8599 §5.6: wakes one SIP device; resolves with the push's final outcome. For a MESSAGE to a device
   * whose token is stored, that is the message push's (sylk spec §5.1) when one comes: one push, with the badge.
   */
  wake(target: PushTarget, notification: Extract<PushNotification, { kind: 'wake' }>): Promise<FinalOutcome> {
    const provider = this.#providerFor(target);
    if (provider === undefined) return Promise.resolve({ kind: 'failed', reason: 'no push provider' });
    if (notification.method !== 'MESSAGE') return this.#queue.push({ target, notification }, provider);
    return this.#wakeForMessage(target, notification, provider);
  }

  /** The counters, for the server's metrics. */
  pushStats(): PushStatsSnapshot {
    return this.#stats.snapshot(this.#queue.queued, this.#queue.inFlight);
  }

  /** Resolves once every push started so far has its outcome (and its token removal, if any). */
  async settled(): Promise<void> {
    while (this.#busy.size > 0) await Promise.all(this.#busy);
  }

  /**
   * New providers (new credentials, gateway URL or app choices: a reload) and content mode for the pushes
   * from now on. Pushes already queued finish with the providers they were given; the old ones close once
   * what was started by then has its outcome.
   */
  replaceProviders(providers: PushProviders, contentMode: PushContentMode): void {
    const old = this.#providers;
    this.#providers = providers;
    this.#contentMode = contentMode;
    this.#warnedApps.clear();
    const started = [...this.#busy];
    this.#track(Promise.allSettled(started).then(() => old.close()));
  }

  /** Stops: waiting pushes end as failed, the providers close. */
  async close(): Promise<void> {
    this.#queue.close();
    this.#messageWakes.close();
    await this.#providers.close();
    await this.settled();
  }

  async #messagePush(push: MessagePush): Promise<void> {
    const tokens = await this.#options.tokens.list(push.account);
    if (tokens.length === 0) return;
    const minimal = this.#contentMode === 'minimal';
    const notification: PushNotification = {
      kind: 'message',
      callId: this.#newCallId(),
      messageId: push.messageId,
      from: push.from,
      fromDisplayName: push.fromDisplayName,
      to: push.to,
      badge: push.badge,
      ...(minimal ? {} : { contentType: push.contentType, content: push.content }),
    };
    await Promise.all(tokens.map((token) => this.#pushToDevice(token, notification)));
  }

  async #pushToDevice(token: PushToken, notification: PushNotification): Promise<void> {
    const target: PushTarget = {
      account: token.account,
      appId: token.appId,
      deviceId: token.deviceId,
      platform: token.platform,
      // sylk spec §5.2: an iOS device's background token when it has one (a message is no VoIP call).
      token:
        token.backgroundToken !== undefined && token.backgroundToken !== ''
          ? token.backgroundToken
          : token.token,
      silent: token.silent,
    };
    const provider = this.#providerFor(target);
    if (provider === undefined) return;
    const pushed = this.#queue.push({ target, notification }, provider);
    this.#messageWakes.messagePushed(deviceKey(target.account, target.token), pushed);
    const outcome = await pushed;
    this.#logOutcome({ target, notification }, provider, outcome);
    if (outcome.kind === 'token-gone') await this.#removeToken(target, provider);
  }

  async #wakeForMessage(
    target: PushTarget,
    notification: Extract<PushNotification, { kind: 'wake' }>,
    provider: PushProvider,
  ): Promise<FinalOutcome> {
    let stored = false;
    try {
      stored = (await this.#options.tokens.list(target.account)).some(
        (token) => token.token === target.token || token.backgroundToken === target.token,
      );
    } catch (error) {
      // The wake still goes, on its own: a store that fails must not leave a device asleep.
      this.#options.logger?.error({ err: error, account: target.account }, 'push tokens not read for a wake');
    }
    const merged = stored
      ? await this.#messageWakes.messagePushFor(deviceKey(target.account, target.token))
      : undefined;
    return merged ?? (await this.#queue.push({ target, notification }, provider));
  }

  #providerFor(target: PushTarget): PushProvider | undefined {
    const provider = this.#providers.forApp(target.appId);
    if (provider === undefined) {
      this.#stats.unrouted();
      if (!this.#warnedApps.has(target.appId)) {
        this.#warnedApps.add(target.appId);
        this.#options.logger?.warn(
          { app: target.appId },
          'no push provider for this app (set [Push] push_url or apps): its devices get no pushes',
        );
      }
    }
    return provider;
  }

  /** Removes the token the push went to, if the store still has that very token for that device. */
  async #removeToken(target: PushTarget, provider: PushProvider): Promise<void> {
    const stored = (await this.#options.tokens.list(target.account)).find(
      (token) => token.appId === target.appId && token.deviceId === target.deviceId,
    );
    if (stored === undefined || (stored.token !== target.token && stored.backgroundToken !== target.token))
      return;
    if (await this.#options.tokens.remove(target.account, target.appId, target.deviceId)) {
      this.#stats.count(provider.kind, 'tokensRemoved');
      this.#options.logger?.info(
        { account: target.account, app: target.appId, device: target.deviceId, provider: provider.kind },
        'push token removed: the provider says it is gone',
      );
    }
  }

  #logOutcome(delivery: PushDelivery, provider: PushProvider, outcome: PushOutcome): void {
    const fields = {
      account: delivery.target.account,
      app: delivery.target.appId,
      device: delivery.target.deviceId,
      provider: provider.kind,
    };
    if (outcome.kind === 'sent') this.#options.logger?.debug(fields, 'push sent');
    else if (outcome.kind !== 'token-gone')
      this.#options.logger?.warn({ ...fields, reason: outcome.reason }, 'push not sent');
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#options.logger?.error({ err: error }, 'push dispatch failed');
    });
    this.#busy.add(tracked);
    void tracked.finally(() => this.#busy.delete(tracked));
  }
}
