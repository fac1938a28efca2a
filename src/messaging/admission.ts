/**
 * What the messaging application decides about a MESSAGE before anything happens to it: before a journal is
 * written and before the proxy starts a branch to any device (security issue 10, points 6 to 8). What it
 * refuses is stored nowhere and reaches no device; what it admits is parsed and classified once, here.
 *
 * In order, cheapest first: the body's size, the sender's rate, parsing and classification (a malformed body
 * of a SIP API type is refused like any other malformed body), what the content type allows, the message id
 * against the journals (an id is unique within an account, sylk spec §3.3: another party's id is refused, a
 * retry of the same message is not), an IMDN's reporter against the message it reports on, and the quota of
 * every journal the message would add an entry to.
 *
 * Answers (RFC 3261 §21), all 4xx: a 5xx would make the sender (or a proxy upstream, RFC 3263 §4.3 for 503)
 * try again or elsewhere, and none of these is cured by trying again at once.
 * - 413 Message Too Large (RFC 3261 §21.4.11): the body, or its content once decoded, is over `maxMessageBytes`.
 * - 403 Too Many Messages (RFC 3261 §21.4.4): the sender is over its rate; a new message goes through once the
 *   bucket has refilled. 403 rather than 480/486, which speak of the callee, or 503, which sends a proxy to
 *   another server (and a client to retry).
 * - 480 Recipient Journal Full (RFC 3261 §21.4.18): the recipient cannot take more until it removes messages, a state
 *   of the callee that "precludes communication"; 403 Journal Quota Exceeded for the sender's own journal.
 * - 403 Message-ID Already Used: another party's message holds this id in a journal it would go to. Storing
 *   both is not possible without making unsend, IMDNs and sync by id ambiguous (sylk spec §2.4.3, §2.6), and
 *   a silent 200 would lose the message; a client that makes random ids never sees this.
 * - 403 Not A Party To The Message: an IMDN about a message that is not the recipient's message to the IMDN's
 *   sender.
 * - 415 Unsupported Media Type (RFC 3261 §21.4.13): an `application/sylk-api-*` type the service does not know; such
 *   requests are for the service alone (sylk spec §2.4), never for the devices.
 */
import type { Aor } from '../registrar/aor.js';
import { normalizeAor } from '../registrar/aor.js';
import type { SipRequest } from '../sip/message/message.js';
import type { MessageSource } from '../sip/transport/types.js';
import type { MessagingContext } from './context.js';
import type { IntakeAnswer } from './intake-answer.js';
import {
  classifyMessage,
  type FormatError,
  type ImdnDocument,
  isApiRequest,
  type MessageParseOptions,
  addressWithoutScheme,
  parseMessageRequest,
} from './formats/index.js';
import type { InboundMessage, MessageOrigin, Party } from './inbound.js';
import type { MessageLimits } from './limits/message-limits.js';
import type { SenderRateLimit } from './limits/sender-rate-limit.js';
import { checkPublicKey, type PublicKeyCheck } from './pgp-key.js';
import { isOwnMessageTo, type PlannedEntry, plannedEntries, sameMessage } from './planned-entries.js';

/** Who sent and who receives, as decided by the entry point (never by CPIM headers, sylk spec §8.33). */
export interface Identities {
  readonly sender: Aor;
  readonly recipient: Aor;
  readonly senderCopy: boolean;
  readonly replicate: boolean;
  readonly source: MessageSource | undefined;
  readonly remoteRecipient?: boolean;
  /** See InboundMessage.senderState. */
  readonly senderState?: 'pending' | 'accepted' | undefined;
  /** A device of the service's adapters that sent it (InboundMessage.origin). */
  readonly origin?: MessageOrigin | undefined;
}

export interface AdmittedMessage {
  readonly inbound: InboundMessage;
  /** A text/pgp-public-key's checked key. */
  readonly publicKey?: Extract<PublicKeyCheck, { ok: true }> | undefined;
  /**
   * The journal entries the admission worked out (which sides keep a copy): delivery writes these instead
   * of asking the storage policy again, two reads fewer per stored MESSAGE.
   */
  readonly planned?: readonly PlannedEntry[] | undefined;
}

export type Admission =
  | { readonly admitted: true; readonly message: AdmittedMessage }
  | { readonly admitted: false; readonly answer: IntakeAnswer };

export interface MessageAdmissionOptions {
  readonly context: MessagingContext;
  readonly limits: MessageLimits;
  readonly rateLimit: SenderRateLimit;
  /** Parse options as of now (the parse's clock reading). */
  readonly parseOptions: () => MessageParseOptions;
}

const SERVICE_TYPE_PREFIX = 'application/sylk-api-';

export class MessageAdmission {
  readonly #context: MessagingContext;
  #limits: MessageLimits;
  readonly #rateLimit: SenderRateLimit;
  readonly #parseOptions: () => MessageParseOptions;

  constructor(options: MessageAdmissionOptions) {
    this.#context = options.context;
    this.#limits = options.limits;
    this.#rateLimit = options.rateLimit;
    this.#parseOptions = options.parseOptions;
  }

  /** New limits for the messages from now on (a reload); senders' buckets keep the tokens they hold. */
  setLimits(limits: MessageLimits): void {
    this.#limits = limits;
    this.#rateLimit.setRate(limits.messagesPerSecond, limits.messageBurst);
  }

  /** Rejects only on a storage failure (the caller answers 500, so that the sender retries). */
  async decide(request: SipRequest, identities: Identities): Promise<Admission> {
    const max = this.#limits.maxMessageBytes;
    if (request.body.length > max) return refuse(413, 'Message Too Large');
    if (!this.#rateLimit.take(identities.sender.key)) return refuse(403, 'Too Many Messages');
    const options = this.#parseOptions();
    const parsed = parseMessageRequest(request, {
      ...options,
      // Inflating stops at the limit: a small deflated body cannot make a large stored one.
      maxDecompressedBytes: Math.min(options.maxDecompressedBytes, max),
    });
    if (!parsed.ok) return { admitted: false, answer: formatRefusal(parsed.error) };
    if (Buffer.byteLength(parsed.value.content, 'utf8') > max) return refuse(413, 'Message Too Large');
    const classified = classifyMessage(parsed.value);
    if (!classified.ok) return { admitted: false, answer: formatRefusal(classified.error) };
    const inbound = inboundMessage(request, identities, parsed.value, classified.value);
    const kind = classified.value.kind;
    if (inbound.parsed.contentType.startsWith(SERVICE_TYPE_PREFIX) && !isApiRequest(kind))
      return refuse(415, 'Unknown API Request');
    if (kind === 'pgp-private-key' && inbound.recipient.account !== inbound.sender.account)
      return refuse(403, 'Private Keys Only Between Own Devices');
    let publicKey: AdmittedMessage['publicKey'];
    if (classified.value.kind === 'pgp-public-key') {
      const check = await checkPublicKey(classified.value.key, this.#context.clock.now());
      if (!check.ok) return refuse(400, `Invalid Public Key: ${check.reason}`);
      publicKey = check;
    }
    if (
      classified.value.kind === 'imdn' &&
      !(await this.#reportsOnOwnMessage(inbound, classified.value.imdn))
    )
      return refuse(403, 'Not A Party To The Message');
    const planned = await plannedEntries(this.#context, inbound);
    const journals = await this.#journalAnswer(inbound, planned);
    if (journals !== undefined) return { admitted: false, answer: journals };
    return { admitted: true, message: { inbound, publicKey, planned } };
  }

  /**
   * An IMDN from X to A about message M applies to A's message M to X (sylk spec §2.6): anything else in A's
   * journal with that id is someone else's conversation. An id A's journal does not have (not stored yet, or
   * removed) is let through: it changes nothing there (deliveries.ts checks again when it applies it).
   */
  async #reportsOnOwnMessage(message: InboundMessage, imdn: ImdnDocument): Promise<boolean> {
    const original = message.recipient.account;
    if (!(await this.#context.storage.hasStorage(original))) return true;
    const entry = await this.#context.store.journal.get(original, imdn.messageId);
    return entry === undefined || isOwnMessageTo(entry, original, message.sender.account);
  }

  /** A refusal for the message id or a journal's quota; undefined when the journals can take the message. */
  async #journalAnswer(
    message: InboundMessage,
    planned: readonly PlannedEntry[],
  ): Promise<IntakeAnswer | undefined> {
    if (planned.length === 0) return undefined;
    // Every journal's entry with this id and its usage in one read (one round trip on PostgreSQL).
    const accounts = [...new Set(planned.map((entry) => entry.account))];
    const checks = new Map(
      (await this.#context.store.journal.checkAppend(accounts, message.parsed.messageId)).map((check) => [
        check.account,
        check,
      ]),
    );
    const added: PlannedEntry[] = [];
    for (const entry of planned) {
      const existing = checks.get(entry.account)?.existing;
      if (existing === undefined) added.push(entry);
      else if (!sameMessage(existing, entry)) return { status: 403, reason: 'Message-ID Already Used' };
    }
    // The recipient's journal first: when both would overflow, the answer names the one the sender cannot fix.
    const adding = new Set(
      [...added]
        .sort((a, b) => Number(b.side === 'recipient') - Number(a.side === 'recipient'))
        .map((e) => e.account),
    );
    for (const account of adding) {
      const mine = added.filter((entry) => entry.account === account);
      const usage = checks.get(account)?.usage ?? { entries: 0, contentBytes: 0 };
      const bytes = mine.reduce((sum, entry) => sum + entry.bytes, 0);
      if (
        usage.entries + mine.length <= this.#limits.journalMaxEntries &&
        usage.contentBytes + bytes <= this.#limits.journalMaxBytes
      )
        continue;
      this.#context.logger?.info({ account, entries: usage.entries }, 'journal quota reached');
      return mine.some((entry) => entry.side === 'recipient')
        ? { status: 480, reason: 'Recipient Journal Full' }
        : { status: 403, reason: 'Journal Quota Exceeded' };
    }
    return undefined;
  }
}

function refuse(status: number, reason: string): Admission {
  return { admitted: false, answer: { status, reason } };
}

function inboundMessage(
  request: SipRequest,
  identities: Identities,
  parsed: InboundMessage['parsed'],
  classified: InboundMessage['classified'],
): InboundMessage {
  return {
    parsed,
    classified,
    sender: party(identities.sender, displayNameOf(parsed, identities.sender)),
    recipient: party(identities.recipient, parsed.recipient.displayName),
    senderCopy: identities.senderCopy,
    remoteRecipient: identities.remoteRecipient === true,
    source: identities.source,
    replicate: identities.replicate,
    senderState: identities.senderState,
    origin: identities.origin,
    wire: {
      contentType: request.headers.get('Content-Type') ?? '',
      contentEncoding: request.headers.get('Content-Encoding'),
      body: request.body,
    },
  };
}

function party(aor: Aor, displayName: string | null): Party {
  return { account: aor.key, uri: `sip:${aor.key}`, displayName };
}

/** The SIP From's display name; the CPIM From's only when it names the same account (sylk spec §8.33). */
function displayNameOf(parsed: InboundMessage['parsed'], sender: Aor): string | null {
  const cpim = parsed.sender;
  if (cpim !== parsed.sipSender && cpim.displayName !== null) {
    const key = normalizeAor(addressWithoutScheme(cpim.uri) ?? '');
    if (key === sender.key) return cpim.displayName;
  }
  return parsed.sipSender.displayName;
}

export function formatRefusal(error: FormatError): IntakeAnswer {
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
