/**
 * The messaging application on the SIP side: every MESSAGE that reaches missive for a local user is parsed,
 * classified, applied to the journal, answered, and announced (events for live sync and push). Two entries:
 *
 * - standalone (branchFor): missive is the proxy; the application takes a branch of the MESSAGE's fork next
 *   to the recipient's devices. The sender is the digest-authenticated user.
 * - standalone, to another domain (outgoingBranchFor): once that domain took the MESSAGE, the sender's copy
 *   is stored and replicated to the sender's other devices before the sender gets the 2xx.
 * - behind a proxy (answerTrusted): a trusted peer (Kamailio forking to missive) sends the MESSAGE with
 *   `X-Sylk-App`; the application answers it itself. Identities are the SIP From/To the proxy asserts, and
 *   `X-Sylk-From-Sip` is honoured (only from trusted peers: the router sends nothing else here).
 *
 * The answer is 200 only once every journal write the MESSAGE causes is durable; a storage failure answers 500
 * so that the sender retries (and the retry is deduplicated by its Message-ID). Bad input gets a 4xx.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Aor, aorOfUri, normalizeAor } from '../registrar/aor.js';
import type { LocalAnswer, LocalTarget } from '../routing/proxy/forward-target.js';
import type { MessagingApplication, OutgoingMessage, RoutedMessage } from '../routing/messaging-hook.js';
import { getFrom, getTo, type NameAddr } from '../sip/headers/name-addr.js';
import type { SipRequest } from '../sip/message/message.js';
import type { MessageSource } from '../sip/transport/types.js';
import { InvalidInputError } from '../store/errors.js';
import { DEFAULT_TOKEN_LIFETIME_MS } from '../store/storage-accounts/storage-account-store.js';
import type { Store } from '../store/store.js';
import { type Clock, systemClock } from '../time/clock.js';
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
import {
  classifyMessage,
  type FormatError,
  isApiRequest,
  localTimestamp,
  type MessageParseOptions,
  normalizeAor as formatsNormalizeAor,
  parseMessageRequest,
} from './formats/index.js';
import type { InboundMessage, Party } from './inbound.js';
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
  /** Largest inflated body for Content-Encoding: deflate (default 1 MiB). */
  readonly maxDecompressedBytes?: number | undefined;
  /** `filetransfer_expire_days` for FT-HTTP conversions (default 15). */
  readonly fileTransferExpireDays?: number | undefined;
  readonly clock?: Clock | undefined;
  readonly newId?: (() => string) | undefined;
  readonly logger?: Logger | undefined;
}

/** Who sent and who receives, as decided by the entry point. */
interface Identities {
  readonly sender: Aor;
  readonly recipient: Aor;
  readonly senderCopy: boolean;
  readonly replicate: boolean;
  readonly source: MessageSource | undefined;
  readonly remoteRecipient?: boolean;
}

const DEFAULT_MAX_DECOMPRESSED = 1024 * 1024;

export class SipMessagingApplication implements MessagingApplication {
  readonly #context: MessagingContext;
  readonly #names: ReadonlySet<string>;
  readonly #options: MessagingApplicationOptions;

  constructor(options: MessagingApplicationOptions) {
    this.#options = options;
    this.#names = new Set((options.applicationNames ?? ['webrtcgateway']).map((name) => name.toLowerCase()));
    this.#context = {
      store: options.store,
      storage: options.storage,
      events: options.events,
      uac: options.uac,
      clock: options.clock ?? systemClock,
      publicUrl: options.publicUrl.replace(/\/+$/, ''),
      serverHost: options.serverHost,
      tokenLifetimeMs: options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
      newId: options.newId ?? randomUUID,
      logger: options.logger,
    };
  }

  /** Standalone: the application's branch of the fork (the proxy authenticated the sender). */
  branchFor(routed: RoutedMessage): LocalTarget {
    return {
      kind: 'local',
      name: 'messaging',
      // SIP API requests are for the server: the recipient's devices do not get them.
      exclusive: this.#isApiRequest(routed.request),
      // The sender's 200 waits for the journal; a storage failure is its answer (it retries).
      holdsFinal: true,
      handle: (request) => {
        const identities = this.#standaloneIdentities(request, routed);
        return identities === undefined
          ? Promise.resolve({ status: 400, reason: 'Missing From' })
          : this.#handle(request, identities);
      },
    };
  }

  /**
   * Standalone: a MESSAGE from a local user to another domain. The branch runs once that domain answered 2xx
   * (afterSuccess), and the 2xx reaches the sender only when the sender's copy is durable, as for local ones.
   */
  outgoingBranchFor(outgoing: OutgoingMessage): LocalTarget {
    return {
      kind: 'local',
      name: 'messaging (sender copy)',
      afterSuccess: true,
      handle: (request) =>
        this.#handle(request, {
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
    return this.#handle(request, {
      sender,
      recipient,
      senderCopy: request.headers.has('X-Sylk-From-Sip'),
      replicate: false,
      source,
    });
  }

  /** Parsing is pure and cheap; the branch parses again (with its own clock reading) when it runs. */
  #isApiRequest(request: SipRequest): boolean {
    const parsed = parseMessageRequest(request, { ...this.#parseOptions(), newMessageId: () => 'probe' });
    if (!parsed.ok) return false;
    const classified = classifyMessage(parsed.value);
    return classified.ok && isApiRequest(classified.value.kind);
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

  async #handle(request: SipRequest, identities: Identities): Promise<LocalAnswer> {
    const parsed = parseMessageRequest(request, this.#parseOptions());
    if (!parsed.ok) return refusal(parsed.error);
    const classified = classifyMessage(parsed.value);
    if (!classified.ok) return refusal(classified.error);
    const message: InboundMessage = {
      parsed: parsed.value,
      classified: classified.value,
      sender: party(identities.sender, displayNameOf(parsed.value, identities.sender)),
      recipient: party(identities.recipient, parsed.value.recipient.displayName),
      senderCopy: identities.senderCopy,
      remoteRecipient: identities.remoteRecipient === true,
      source: identities.source,
      replicate: identities.replicate,
      wire: {
        contentType: request.headers.get('Content-Type') ?? '',
        contentEncoding: request.headers.get('Content-Encoding'),
        body: request.body,
      },
    };
    try {
      const fresh = await this.#apply(message);
      if (fresh && message.replicate) this.#replicate(message);
      return { status: 200, reason: 'OK' };
    } catch (error) {
      if (error instanceof RefusedMessage) return { status: error.status, reason: error.reason };
      if (error instanceof InvalidInputError) {
        this.#context.logger?.info({ err: error.message }, 'MESSAGE refused by the store');
        return { status: 400, reason: 'Invalid Message' };
      }
      this.#context.logger?.error(
        { err: error instanceof Error ? error.message : String(error), kind: message.classified.kind },
        'MESSAGE not stored',
      );
      return { status: 500, reason: 'Storage Failure' };
    }
  }

  /** Resolves true when the MESSAGE was new (not a duplicate). */
  async #apply(message: InboundMessage): Promise<boolean> {
    const context = this.#context;
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
        return deliverPublicKey(context, message, kind.key);
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
        this.#context.logger?.warn({ err: String(error) }, 'replicated MESSAGE not sent');
      });
  }
}

function partyAor(nameAddr: NameAddr | undefined): Aor | undefined {
  return nameAddr === undefined ? undefined : aorOfUri(nameAddr.uri);
}

function party(aor: Aor, displayName: string | null): Party {
  return { account: aor.key, uri: `sip:${aor.key}`, displayName };
}

/** The SIP From's display name; the CPIM From's only when it names the same account (§8.33). */
function displayNameOf(parsed: InboundMessage['parsed'], sender: Aor): string | null {
  const cpim = parsed.sender;
  if (cpim !== parsed.sipSender && cpim.displayName !== null) {
    const key = normalizeAor(formatsNormalizeAor(cpim.uri) ?? '');
    if (key === sender.key) return cpim.displayName;
  }
  return parsed.sipSender.displayName;
}

/** Contacts from API bodies, as journal keys (domain lower-cased). */
function contactKey(contact: string): string {
  return normalizeAor(contact) ?? contact;
}

function refusal(error: FormatError): LocalAnswer {
  switch (error.code) {
    case 'missing-header':
      return { status: 400, reason: 'Missing Content-Type, From or To' };
    case 'empty-body':
      return { status: 400, reason: 'Empty Body' };
    case 'malformed-cpim':
      return { status: 400, reason: 'Malformed CPIM' };
    case 'invalid-utf8':
      return { status: 400, reason: 'Body Not UTF-8' };
    case 'decompress-failed':
      return { status: 400, reason: 'Undecodable Content-Encoding' };
    case 'too-large':
      return { status: 413, reason: 'Message Too Large' };
    default:
      return { status: 400, reason: 'Malformed Body' };
  }
}
