/**
 * The messaging service assembled for one of the two deployments: standalone (missive is the proxy: its
 * own MESSAGEs go to the registered devices, every subscriber has storage) or behind a proxy (`outboundProxy`
 * set: its own MESSAGEs go through that proxy, storage accounts as the reference creates them). Its parts:
 * the service (service.ts) for the WebSocket and HTTP adapters, and the SIP adapter for the router.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApplicationEnvironment } from '../routing/local-application.js';
import { isSipUri, parseUri } from '../sip/uri.js';
import type { Store } from '../store/store.js';
import { DEFAULT_TOKEN_LIFETIME_MS } from '../store/storage-accounts/storage-account-store.js';
import { AddressBooks } from './address-book/address-books.js';
import { StoredAddressBooks } from './address-book/stored-address-books.js';
import { XcapAddressBooks } from './address-book/xcap-address-books.js';
import { MessageAdmission } from './admission.js';
import { SipMessagingApplication } from './application.js';
import { MsrpFileTransfers } from './msrp-file-transfer.js';
import type { MsrpFileEndpoint } from '../msrp/endpoint/file-endpoint.js';
import type { FileTransferStore } from '../files/transfer-store.js';
import type { MessagingContext, TransferFiles } from './context.js';
import { localTimestamp, type MessageParseOptions } from './formats/index.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './limits/message-limits.js';
import { SenderRateLimit } from './limits/sender-rate-limit.js';
import { MessageIntake } from './message-intake.js';
import type { MessageOutcomes } from './outcomes.js';
import { SylkMessagingService } from './messaging-service.js';
import { DeviceMessageSender, ProxyMessageSender } from './own-messages.js';
import type { MessagingService } from './service.js';
import { SubscribersPolicy } from './storage-policy.js';
import type { AccountSubscriptions } from './subscriptions.js';
import { DEFAULT_SYNC_LIMITS, type SyncLimits } from './sync-page.js';
import { UpstreamRegistration } from './upstream-registration.js';

export interface MessagingConfig {
  readonly store: Store;
  /** Where events go: the devices subscribed per account, and the push dispatcher. */
  readonly subscriptions: AccountSubscriptions;
  /** Behind-proxy mode: the proxy (`sip:proxy.example.com:5060;transport=tcp`) the server's MESSAGEs go through. */
  readonly outboundProxy?: string | undefined;
  /** Base of the HTTP history URL in token replies. */
  readonly publicUrl: string;
  readonly tokenLifetimeMs?: number | undefined;
  /** Body size, per-sender rate and journal quota; unset ones keep their defaults (limits/message-limits.ts). */
  readonly limits?: Partial<MessageLimits> | undefined;
  /** What one sync answers at most (sync-page.ts). */
  readonly syncLimits?: Partial<SyncLimits> | undefined;
  /** Values of X-Sylk-App the SIP adapter answers to (default webrtcgateway). */
  readonly applicationNames?: readonly string[] | undefined;
  /** Largest inflated body for Content-Encoding: deflate (default 1 MiB; never above limits.maxMessageBytes). */
  readonly maxDecompressedBytes?: number | undefined;
  /** Stored transfer files, removed with their message (sylk spec §1.4.10). */
  readonly files?: TransferFiles | undefined;
  /** `filetransfer_expire_days` for FT-HTTP conversions (default 15). */
  readonly fileTransferExpireDays?: number | undefined;
  /** sylk spec §1.4.13: address books on this XCAP server (its base URL) instead of missive's store. */
  readonly xcapUrl?: string | undefined;
  readonly newId?: (() => string) | undefined;
  /** Files sent in an INVITE to the server (sylk spec §4.3.4): missive's MSRP endpoint and the file store. */
  readonly msrpFiles?: { readonly endpoint: MsrpFileEndpoint; readonly store: FileTransferStore } | undefined;
  readonly logger?: Logger | undefined;
  /** Told what became of each MESSAGE (the server's metrics). */
  readonly outcomes?: MessageOutcomes | undefined;
}

export interface Messaging {
  /** For the WebSocket and HTTP adapters. */
  readonly service: MessagingService;
  /** For the router (routing/messaging-hook.ts). */
  readonly sip: SipMessagingApplication;
  /** Behind a proxy: how account-register checks a WebSocket client's HA1 (sylk spec §1.7.1). */
  readonly upstreamRegistration?: UpstreamRegistration | undefined;
  /** New message limits from now on (a reload); unset ones take their defaults. */
  setLimits(limits: Partial<MessageLimits> | undefined): void;
}

const DEFAULT_MAX_DECOMPRESSED = 1024 * 1024;

/** Throws on an outbound proxy that is not a SIP URI (a configuration error, reported at start). */
export function checkedOutboundProxy(config: MessagingConfig): ReturnType<typeof parseUri> {
  const proxy = config.outboundProxy === undefined ? undefined : parseUri(config.outboundProxy);
  if (proxy !== undefined && !isSipUri(proxy))
    throw new Error('the outbound proxy must be a sip: or sips: URI');
  if (config.outboundProxy !== undefined && proxy === undefined)
    throw new Error(`invalid outbound proxy URI: ${config.outboundProxy}`);
  return proxy;
}

export function createMessaging(config: MessagingConfig, environment: ApplicationEnvironment): Messaging {
  const proxy = checkedOutboundProxy(config);
  const uacOptions = { requests: environment.requests, logger: config.logger };
  const behindProxy = proxy !== undefined && isSipUri(proxy);
  const uac = behindProxy
    ? new ProxyMessageSender({ ...uacOptions, outboundProxy: proxy })
    : new DeviceMessageSender(uacOptions);
  const clock = environment.clock;
  const context: MessagingContext = {
    store: config.store,
    storage: new SubscribersPolicy(
      config.store.storageAccounts,
      config.store.subscribers.credentials,
      environment.local,
      clock,
    ),
    events: config.subscriptions,
    uac,
    clock,
    publicUrl: config.publicUrl.replace(/\/+$/, ''),
    serverHost: () =>
      environment.local.pointFor('udp')?.host ?? environment.local.pointFor('tcp')?.host ?? '127.0.0.1',
    tokenLifetimeMs: config.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
    newId: config.newId ?? randomUUID,
    files: config.files,
    logger: config.logger,
  };
  const limits = { ...DEFAULT_MESSAGE_LIMITS, ...config.limits };
  const parseOptions = (): MessageParseOptions => ({
    now: localTimestamp(clock.now()),
    maxDecompressedBytes: config.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED,
    fileTransferExpireDays: config.fileTransferExpireDays ?? 15,
    newMessageId: context.newId,
  });
  const admission = new MessageAdmission({
    context,
    limits,
    rateLimit: new SenderRateLimit({
      perSecond: limits.messagesPerSecond,
      burst: limits.messageBurst,
      clock,
    }),
    parseOptions,
  });
  const intake = new MessageIntake(context, admission, config.outcomes);
  const service = new SylkMessagingService({
    context,
    intake,
    subscriptions: config.subscriptions,
    // Behind a proxy nothing is local: the proxy routes every message, to missive too.
    isServedDomain: (domain) => !behindProxy && environment.local.isLocalDomain(domain),
    syncLimits: { ...DEFAULT_SYNC_LIMITS, ...config.syncLimits },
    addressBooks: new AddressBooks(
      config.xcapUrl === undefined
        ? new StoredAddressBooks(config.store.addressBooks, clock, config.logger)
        : new XcapAddressBooks({ baseUrl: config.xcapUrl, logger: config.logger }),
      config.subscriptions,
    ),
    logger: config.logger,
  });
  const userAgent =
    config.msrpFiles === undefined
      ? undefined
      : new MsrpFileTransfers({
          endpoint: config.msrpFiles.endpoint,
          files: config.msrpFiles.store,
          storage: context.storage,
          service,
          local: environment.local,
          clock,
          publicUrl: context.publicUrl,
          expireDays: config.fileTransferExpireDays ?? 15,
          logger: config.logger,
        });
  const sip = new SipMessagingApplication({ intake, applicationNames: config.applicationNames, userAgent });
  const upstreamRegistration = behindProxy
    ? new UpstreamRegistration({
        requests: environment.requests,
        outboundProxy: proxy,
        logger: config.logger,
      })
    : undefined;
  return {
    service,
    sip,
    upstreamRegistration,
    setLimits: (next) => {
      admission.setLimits({ ...DEFAULT_MESSAGE_LIMITS, ...next });
    },
  };
}

/** The SIP adapter made from the SIP service's parts (for SipServiceOptions.messaging), the service dropped. */
export function messagingFactory(
  config: MessagingConfig,
): (environment: ApplicationEnvironment) => SipMessagingApplication {
  checkedOutboundProxy(config);
  return (environment) => createMessaging(config, environment).sip;
}
