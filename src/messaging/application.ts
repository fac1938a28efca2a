/**
 * The messaging application on the SIP side: every MESSAGE that reaches missive for a local user is parsed,
 * classified, applied to the journal, answered, and announced (events for live sync and push). Two entries:
 *
 * - standalone (decide): missive is the proxy; before it forks, the application decides (admission.ts): it
 *   refuses the MESSAGE (no device gets it), takes it alone (the SIP API requests), or takes a branch of the
 *   fork next to the recipient's devices. The sender is the digest-authenticated user.
 * - standalone, to another domain (outgoingBranchFor): once that domain took the MESSAGE, the sender's copy
 *   is stored and replicated to the sender's other devices before the sender gets the 2xx.
 * - behind a proxy (answerTrusted): a trusted peer (Kamailio forking to missive) sends the MESSAGE with
 *   `X-Sylk-App`; the application answers it itself. Identities are the SIP From/To the proxy asserts, and
 *   `X-Sylk-From-Sip` is honoured (only from trusted peers: the router sends nothing else here).
 *
 * The answer is 200 only once every journal write the MESSAGE causes is durable; a storage failure answers 500
 * so that the sender retries (and the retry is deduplicated by its Message-ID). Bad input, and what the limits
 * refuse, gets a 4xx (admission.ts says which).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Aor, aorOfUri, normalizeAor } from '../registrar/aor.js';
import type { LocalAnswer, LocalTarget } from '../routing/proxy/forward-target.js';
import type {
  MessageDecision,
  MessagingApplication,
  OutgoingMessage,
  RoutedMessage,
} from '../routing/messaging-hook.js';
import { getFrom, getTo, type NameAddr } from '../sip/headers/name-addr.js';
import type { SipRequest } from '../sip/message/message.js';
import type { MessageSource } from '../sip/transport/types.js';
import { InvalidInputError } from '../store/errors.js';
import { DEFAULT_TOKEN_LIFETIME_MS } from '../store/storage-accounts/storage-account-store.js';
import type { Store } from '../store/store.js';
import { type Clock, systemClock } from '../time/clock.js';
import { type Admission, type AdmittedMessage, type Identities, MessageAdmission } from './admission.js';
import {
  handleApiToken,
  handleConversationRead,
  handleConversationRemove,
  handleKeyLookup,
  handleMessageRemove,
} from './api-requests.js';
import type { MessagingContext } from './context.js';
import {
  deliverImdn,
  deliverMessage,
  deliverPrivateKey,
  deliverPublicKey,
  RefusedMessage,
} from './deliveries.js';
import type { MessagingEventSink } from './events.js';
import { isApiRequest, localTimestamp, type MessageParseOptions } from './formats/index.js';
import type { InboundMessage } from './inbound.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './limits/message-limits.js';
import { SenderRateLimit } from './limits/sender-rate-limit.js';
import type { OwnMessageSender } from './own-messages.js';
import type { StoragePolicy } from './storage-policy.js';

export interface MessagingApplicationOptions {
  readonly store: Store;
  readonly storage: StoragePolicy;
  readonly events: MessagingEventSink;
  readonly uac: OwnMessageSender;
  /** Base of the history URL in token replies, e.g. `https://sip.example.com:10888`. */
  readonly publicUrl: string;
  /** The host of `sip:sylkserver@{host}`. */
  readonly serverHost: () => string;
  /** Values of X-Sylk-App this application answers to (default webrtcgateway). */
  readonly applicationNames?: readonly string[] | undefined;
  readonly tokenLifetimeMs?: number | undefined;
  /** Largest inflated body for Content-Encoding: deflate (default 1 MiB; never above limits.maxMessageBytes). */
  readonly maxDecompressedBytes?: number | undefined;
  /** `filetransfer_expire_days` for FT-HTTP conversions (default 15). */
  readonly fileTransferExpireDays?: number | undefined;
  /** Body size, per-sender rate and per-account journal quota (default DEFAULT_MESSAGE_LIMITS). */
  readonly limits?: Partial<MessageLimits> | undefined;
  readonly clock?: Clock | undefined;
  readonly newId?: (() => string) | undefined;
  readonly logger?: Logger | undefined;
}

const DEFAULT_MAX_DECOMPRESSED = 1024 * 1024;

export class SipMessagingApplication implements MessagingApplication {
  readonly #context: MessagingContext;
  readonly #names: ReadonlySet<string>;
  readonly #options: MessagingApplicationOptions;
  readonly #admission: MessageAdmission;

  constructor(options: MessagingApplicationOptions) {
    this.#options = options;
    this.#names = new Set((options.applicationNames ?? ['webrtcgateway']).map((name) => name.toLowerCase()));
    const clock = options.clock ?? systemClock;
    this.#context = {
      store: options.store,
      storage: options.storage,
      events: options.events,
      uac: options.uac,
      clock,
      publicUrl: options.publicUrl.replace(/\/+$/, ''),
      serverHost: options.serverHost,
      tokenLifetimeMs: options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
      newId: options.newId ?? randomUUID,
      logger: options.logger,
    };
    const limits = { ...DEFAULT_MESSAGE_LIMITS, ...options.limits };
    this.#admission = new MessageAdmission({
      context: this.#context,
      limits,
      rateLimit: new SenderRateLimit({
        perSecond: limits.messagesPerSecond,
        burst: limits.messageBurst,
        clock,
      }),
      parseOptions: () => this.#parseOptions(),
    });
  }

  /**
   * Standalone: the application's decision, before the proxy forks. The branch it returns holds the sender's
   * 200 until the journal is written (a storage failure is the answer, and the sender retries).
   */
  async decide(routed: RoutedMessage): Promise<MessageDecision> {
    const identities = this.#standaloneIdentities(routed.request, routed);
    if (identities === undefined) return { kind: 'refuse', answer: { status: 400, reason: 'Missing From' } };
    const admission = await this.#admit(routed.request, identities);
    if (!admission.admitted) return { kind: 'refuse', answer: admission.answer };
    const { message } = admission;
    const branch: LocalTarget = {
      kind: 'local',
      name: 'messaging',
      holdsFinal: true,
      handle: () => this.#deliver(message),
    };
    // The SIP API requests are for the service (sylk spec §2.4): the recipient's devices never get them.
    return isApiRequest(message.inbound.classified.kind)
      ? { kind: 'serve', branch }
      : { kind: 'fork', branch };
  }

  /**
   * Standalone: a MESSAGE from a local user to another domain. The branch runs once that domain answered 2xx
   * (afterSuccess), and the 2xx reaches the sender only when the sender's copy is durable, as for local ones.
   * The MESSAGE has left already: what the admission refuses here only keeps the sender's copy out.
   */
  outgoingBranchFor(outgoing: OutgoingMessage): LocalTarget {
    return {
      kind: 'local',
      name: 'messaging (sender copy)',
      afterSuccess: true,
      handle: (request) =>
        this.#admitAndDeliver(request, {
          sender: outgoing.sender,
          recipient: outgoing.recipient,
          senderCopy: true,
          replicate: true,
          source: outgoing.source,
          remoteRecipient: true,
        }),
    };
  }

  /**
   * Behind a proxy: a MESSAGE from a trusted peer carrying X-Sylk-App, answered here (no forking). The caller
   * (the router) has checked that the source is a trusted peer.
   */
  answerTrusted(request: SipRequest, source: MessageSource): Promise<LocalAnswer> {
    const app = request.headers.get('X-Sylk-App')?.trim().toLowerCase() ?? '';
    if (!this.#names.has(app)) return Promise.resolve({ status: 404, reason: 'Application Not Found' });
    const sender = partyAor(getFrom(request.headers));
    const recipient = partyAor(getTo(request.headers));
    if (sender === undefined || recipient === undefined)
      return Promise.resolve({ status: 400, reason: 'Missing or Invalid From/To' });
    return this.#admitAndDeliver(request, {
      sender,
      recipient,
      senderCopy: request.headers.has('X-Sylk-From-Sip'),
      replicate: false,
      source,
    });
  }

  #parseOptions(): MessageParseOptions {
    return {
      now: localTimestamp(this.#context.clock.now()),
      maxDecompressedBytes: this.#options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED,
      fileTransferExpireDays: this.#options.fileTransferExpireDays ?? 15,
      newMessageId: this.#context.newId,
    };
  }

  #standaloneIdentities(request: SipRequest, routed: RoutedMessage): Identities | undefined {
    const sender = routed.sender ?? partyAor(getFrom(request.headers));
    if (sender === undefined) return undefined;
    const authenticated = routed.sender !== undefined;
    return {
      sender,
      recipient: routed.recipient,
      // A device that authenticated with us is a native SIP sender; a trusted peer says so with the header.
      senderCopy: authenticated || request.headers.has('X-Sylk-From-Sip'),
      replicate: authenticated && sender.key !== routed.recipient.key,
      source: routed.source,
    };
  }

  /** The admission's answer; a storage failure while deciding is a 500, so that the sender retries. */
  async #admit(request: SipRequest, identities: Identities): Promise<Admission> {
    try {
      return await this.#admission.decide(request, identities);
    } catch (error) {
      return { admitted: false, answer: this.#failure(error, 'MESSAGE not admitted') };
    }
  }

  async #admitAndDeliver(request: SipRequest, identities: Identities): Promise<LocalAnswer> {
    const admission = await this.#admit(request, identities);
    return admission.admitted ? this.#deliver(admission.message) : admission.answer;
  }

  async #deliver(admitted: AdmittedMessage): Promise<LocalAnswer> {
    const message = admitted.inbound;
    try {
      const fresh = await this.#apply(admitted);
      if (fresh && message.replicate) this.#replicate(message);
      return { status: 200, reason: 'OK' };
    } catch (error) {
      if (error instanceof RefusedMessage) return { status: error.status, reason: error.reason };
      return this.#failure(error, 'MESSAGE not stored', message.classified.kind);
    }
  }

  #failure(error: unknown, what: string, kind?: string): LocalAnswer {
    if (error instanceof InvalidInputError) {
      this.#context.logger?.info({ err: error.message }, 'MESSAGE refused by the store');
      return { status: 400, reason: 'Invalid Message' };
    }
    this.#context.logger?.error({ err: error, kind }, what);
    return { status: 500, reason: 'Storage Failure' };
  }

  /** Resolves true when the MESSAGE was new (not a duplicate). */
  async #apply(admitted: AdmittedMessage): Promise<boolean> {
    const context = this.#context;
    const message = admitted.inbound;
    const kind = message.classified;
    this.#context.logger?.debug(
      { kind: kind.kind, from: message.sender.account, to: message.recipient.account },
      'MESSAGE',
    );
    // To another domain only user content has a sender's copy; API requests, keys and IMDNs are theirs.
    if (message.remoteRecipient && kind.kind !== 'message' && kind.kind !== 'file-transfer') return false;
    switch (kind.kind) {
      case 'api-token':
        await handleApiToken(context, message);
        return false;
      case 'pgp-key-lookup':
        await handleKeyLookup(context, message);
        return false;
      case 'message-remove':
        await handleMessageRemove(context, message, kind.messageId);
        return false;
      case 'conversation-read':
        await handleConversationRead(context, message, contactKey(kind.contact));
        return false;
      case 'conversation-remove':
        await handleConversationRemove(context, message, contactKey(kind.contact), kind.timestamp);
        return false;
      case 'is-composing':
        // Neither stored nor copied to the sender's other devices: it is about this conversation, now.
        return false;
      case 'imdn':
        return deliverImdn(context, message, kind.imdn);
      case 'pgp-public-key':
        if (admitted.publicKey === undefined) throw new RefusedMessage(400, 'Invalid Public Key');
        return deliverPublicKey(context, message, admitted.publicKey);
      case 'pgp-private-key':
        return deliverPrivateKey(context, message);
      case 'file-transfer':
      case 'message':
        return deliverMessage(context, message);
    }
  }

  /** Standalone: the sender's other devices get a copy (Request-URI = the device, To = the real recipient). */
  #replicate(message: InboundMessage): void {
    this.#context.uac
      .send({
        deliverTo: message.sender.account,
        from: message.sender.uri,
        to: message.recipient.uri,
        contentType: message.wire.contentType,
        body: message.wire.body,
        headers: [
          ['X-Replicated-Message', 'yes'],
          ...(message.wire.contentEncoding === undefined
            ? []
            : [['Content-Encoding', message.wire.contentEncoding] as const]),
        ],
        exceptSource: message.source,
      })
      .catch((error: unknown) => {
        this.#context.logger?.warn({ err: error }, 'replicated MESSAGE not sent');
      });
  }
}

function partyAor(nameAddr: NameAddr | undefined): Aor | undefined {
  return nameAddr === undefined ? undefined : aorOfUri(nameAddr.uri);
}

/** Contacts from API bodies, as journal keys (domain lower-cased). */
function contactKey(contact: string): string {
  return normalizeAor(contact) ?? contact;
}
