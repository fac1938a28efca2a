/**
 * The messaging application assembled for one of the two deployments: standalone (missive is the proxy: its
 * own MESSAGEs go to the registered devices, every subscriber has storage) or behind a proxy (`outboundProxy`
 * set: its own MESSAGEs go through that proxy, storage accounts as the reference creates them).
 */
import type { Logger } from 'pino';
import type { SipEnvironment } from '../server/sip-service.js';
import { isSipUri, parseUri } from '../sip/uri.js';
import type { Store } from '../store/store.js';
import { SipMessagingApplication } from './application.js';
import type { MessagingEventSink } from './events.js';
import type { MessageLimits } from './limits/message-limits.js';
import { DeviceMessageSender, ProxyMessageSender } from './own-messages.js';
import { SubscribersPolicy } from './storage-policy.js';

export interface MessagingConfig {
  readonly store: Store;
  readonly events: MessagingEventSink;
  /** Behind-proxy mode: the proxy (`sip:proxy.example.com:5060;transport=tcp`) the server's MESSAGEs go through. */
  readonly outboundProxy?: string | undefined;
  /** Base of the HTTP history URL in token replies. */
  readonly publicUrl: string;
  readonly tokenLifetimeMs?: number | undefined;
  /** Body size, per-sender rate and journal quota; unset ones keep their defaults (limits/message-limits.ts). */
  readonly limits?: Partial<MessageLimits> | undefined;
  readonly logger?: Logger | undefined;
}

/** Throws on an outbound proxy that is not a SIP URI (a configuration error, reported at start). */
export function messagingFactory(
  config: MessagingConfig,
): (environment: SipEnvironment) => SipMessagingApplication {
  const proxy = config.outboundProxy === undefined ? undefined : parseUri(config.outboundProxy);
  if (proxy !== undefined && !isSipUri(proxy))
    throw new Error('the outbound proxy must be a sip: or sips: URI');
  if (config.outboundProxy !== undefined && proxy === undefined)
    throw new Error(`invalid outbound proxy URI: ${config.outboundProxy}`);
  return (environment) => {
    const uacOptions = {
      transactions: environment.transactions,
      local: environment.local,
      logger: config.logger,
    };
    const behindProxy = proxy !== undefined && isSipUri(proxy);
    const uac = behindProxy
      ? new ProxyMessageSender({ ...uacOptions, outboundProxy: proxy, outbound: environment.outbound })
      : new DeviceMessageSender({ ...uacOptions, locations: environment.locations });
    const storage = new SubscribersPolicy(
      config.store.storageAccounts,
      config.store.subscribers.credentials,
      environment.local,
      environment.clock,
    );
    return new SipMessagingApplication({
      store: config.store,
      storage,
      events: config.events,
      uac,
      publicUrl: config.publicUrl,
      serverHost: () =>
        environment.local.pointFor('udp')?.host ?? environment.local.pointFor('tcp')?.host ?? '127.0.0.1',
      tokenLifetimeMs: config.tokenLifetimeMs,
      limits: config.limits,
      clock: environment.clock,
      logger: config.logger,
    });
  };
}
