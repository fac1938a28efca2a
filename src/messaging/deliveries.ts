/**
 * Ordinary messages (sylk spec §2.5, §2.6): the sender's outgoing copy and the recipient's incoming copy appended in
 * one transaction, IMDNs moving the original's state forward, public keys checked and stored for the
 * authenticated sender, private keys only between an account's own devices. Key exchanges leave a record in
 * the journal (KEY_EXCHANGE, without private key material) so that a device offline at the time learns of them.
 * A duplicate (same Message-ID already in that account) stores nothing and emits nothing (sylk spec §8.20).
 */
import type { AppendItem, AppendResult, DeliveryState, NewEntry } from '../store/journal/types.js';
import type { MessagingContext } from './context.js';
import { type MessageEventPayload, syncEvent } from './events.js';
import {
  formatTimestamp,
  IMDN_JOURNAL,
  type ImdnDocument,
  type ImdnStatus,
  PGP_PRIVATE_KEY,
  PGP_PUBLIC_KEY,
  PUSH_CONTENT_TYPES,
} from './formats/index.js';
import type { InboundMessage } from './inbound.js';
import type { PublicKeyCheck } from './pgp-key.js';
import { copySides, isOwnMessageTo, type PlannedEntry } from './planned-entries.js';

/**
 * The journal entry recording a key exchange. Content, JSON:
 * `{"key_type": "public", "owner": AOR, "fingerprint": hex, "public_key": armored}` for a public key (the key
 * is public; a device syncing later can import it), `{"key_type": "private", "owner": AOR}` for a private key
 * sent between the owner's devices (the key itself is never stored). The entry's message_id is the key
 * MESSAGE's own, so a second copy of the same MESSAGE is a duplicate like any other.
 */
export const KEY_EXCHANGE = 'application/sylk-key-exchange';

/** Why a MESSAGE is refused after parsing (answered 4xx; nothing stored). */
export class RefusedMessage extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The stored entries the events are about; empty when nothing new was stored. */
interface Appended {
  readonly sender: AppendResult | undefined;
  readonly recipient: AppendResult | undefined;
}

function stored(result: AppendResult | undefined): boolean {
  return result?.outcome === 'stored';
}

/**
 * Whether the MESSAGE was new: something was stored, or no side keeps a journal (then nothing tells a copy
 * apart). A retransmitted fork is not new: no events, no replication.
 */
function fresh(appended: Appended): boolean {
  if (appended.sender === undefined && appended.recipient === undefined) return true;
  return stored(appended.sender) || stored(appended.recipient);
}

/** `badge`: the recipient's copy comes back with the unread total its push needs (no read after it). */
async function appendCopies(
  context: MessagingContext,
  senderEntry: NewEntry | undefined,
  senderAccount: string,
  recipientEntry: NewEntry | undefined,
  recipientAccount: string,
  badge = false,
): Promise<Appended> {
  const items: AppendItem[] = [];
  if (senderEntry !== undefined) items.push({ account: senderAccount, entry: senderEntry });
  if (recipientEntry !== undefined)
    items.push({ account: recipientAccount, entry: recipientEntry, countUnread: badge });
  if (items.length === 0) return { sender: undefined, recipient: undefined };
  const results = await context.store.journal.appendBatch(items, context.clock.now());
  return {
    sender: senderEntry === undefined ? undefined : results[0],
    recipient: recipientEntry === undefined ? undefined : results[senderEntry === undefined ? 0 : 1],
  };
}

/**
 * Sylk spec §2.5: text, files and any other user content type. Resolves true when the message was new (see
 * fresh). `planned`: the entries the admission worked out, so that the storage policy is not asked again.
 */
export async function deliverMessage(
  context: MessagingContext,
  message: InboundMessage,
  planned?: readonly PlannedEntry[],
): Promise<boolean> {
  const { parsed } = message;
  const want =
    planned === undefined
      ? await copySides(context, message)
      : {
          sender: planned.some((entry) => entry.side === 'sender'),
          recipient: planned.some((entry) => entry.side === 'recipient'),
        };
  const timestamp = formatTimestamp(parsed.timestamp);
  const pushes = PUSH_CONTENT_TYPES.has(parsed.contentType);
  const base = {
    messageId: parsed.messageId,
    contentType: parsed.contentType,
    content: parsed.content,
    disposition: parsed.disposition,
    timestamp,
  };
  const appended = await appendCopies(
    context,
    want.sender
      ? {
          ...base,
          contact: message.recipient.account,
          direction: 'outgoing',
          state: message.senderState ?? 'accepted',
        }
      : undefined,
    message.sender.account,
    want.recipient
      ? { ...base, contact: message.sender.account, direction: 'incoming', state: 'received' }
      : undefined,
    message.recipient.account,
    pushes,
  );
  if (stored(appended.sender)) emitSenderSync(context, message, timestamp);
  if (appended.recipient !== undefined && stored(appended.recipient)) {
    emitMessage(context, message, parsed.contentType, parsed.content);
    // sylk spec §5.1: the receiver's stored copy of text, HTML or a file transfer. The badge came back with
    // the append; the push itself is the dispatcher's, which never makes anyone wait.
    if (pushes) await emitPush(context, message, appended.recipient);
  }
  return fresh(appended);
}

function emitSenderSync(context: MessagingContext, message: InboundMessage, timestamp: string): void {
  const account = message.sender.account;
  const origin = message.origin;
  const content = {
    // A WebSocket device's own request goes to its other devices (sylk spec §1.5.3); a SIP device's copy is
    // the server's.
    transaction: origin?.transaction ?? '1',
    account,
    sylkrtc: 'account-message',
    uri: message.recipient.account,
    message_id: message.parsed.messageId,
    content: message.parsed.content,
    content_type: message.parsed.contentType,
    timestamp,
  } as const;
  context.events.emit(
    syncEvent(account, {
      type: 'message',
      action: 'add',
      content: origin === undefined ? { ...content, server_generated: true } : content,
    }),
    origin?.device,
  );
}

function emitMessage(
  context: MessagingContext,
  message: InboundMessage,
  contentType: string,
  content: string,
): void {
  const account = message.recipient.account;
  const payload: MessageEventPayload = {
    sylkrtc: 'account-event',
    account,
    event: 'message',
    sender: { uri: message.sender.account, display_name: message.sender.displayName },
    timestamp: formatTimestamp(message.parsed.timestamp),
    disposition_notification: message.parsed.disposition,
    message_id: message.parsed.messageId,
    content_type: contentType,
    content,
  };
  context.events.emit({ kind: 'message', account, payload });
}

async function emitPush(
  context: MessagingContext,
  message: InboundMessage,
  appended: AppendResult,
): Promise<void> {
  const account = message.recipient.account;
  // Every backend counts it when asked (the store conformance suite checks); read only if one did not.
  const unread = appended.unreadTotal ?? (await context.store.journal.unread(account)).total;
  context.events.emit({
    kind: 'push',
    account,
    push: {
      account,
      from: message.sender.account,
      fromDisplayName: message.sender.displayName,
      to: account,
      messageId: message.parsed.messageId,
      contentType: message.parsed.contentType,
      content: message.parsed.content,
      badge: Math.max(1, unread),
    },
  });
}

/** IMDN status → the state the original moves to; processed and stored are not delivery states (sylk spec §8.10). */
function deliveryState(status: ImdnStatus): DeliveryState | undefined {
  switch (status) {
    case 'delivered':
    case 'displayed':
    case 'failed':
    case 'error':
      return status;
    case 'forbidden':
      return 'failed';
    default:
      return undefined;
  }
}

/**
 * sylk spec §2.6: R (the To account) sent the original; the IMDN's sender is the authenticated sender. Only
 * R's message to that sender moves (the admission refused an IMDN about anyone else's), and the sender's copy
 * only when it is that message as received from R; both forward only. Then the `message/imdn` entry is
 * journaled in R's journal and the event emitted.
 */
export async function deliverImdn(
  context: MessagingContext,
  message: InboundMessage,
  imdn: ImdnDocument,
): Promise<boolean> {
  const original = message.recipient.account;
  const reporter = message.sender.account;
  if (!(await context.storage.hasStorage(original))) return true;
  const state = deliveryState(imdn.status);
  const journal = context.store.journal;
  if (state !== undefined) {
    const sent = await journal.get(original, imdn.messageId);
    if (sent !== undefined && !isOwnMessageTo(sent, original, reporter)) return false;
    if (sent !== undefined) await journal.updateState(original, imdn.messageId, state);
    const received =
      reporter !== original && (await context.storage.hasStorage(reporter))
        ? await journal.get(reporter, imdn.messageId)
        : undefined;
    if (received?.contact === original && received.direction === 'incoming')
      await journal.updateState(reporter, imdn.messageId, state);
  }
  const payload = {
    sylkrtc: 'account-event',
    account: original,
    event: 'disposition-notification',
    message_id: imdn.messageId,
    message_timestamp: imdn.datetime,
    state: imdn.status,
    code: 200,
    reason: '',
  } as const;
  const result = await context.store.journal.append(
    original,
    {
      messageId: message.parsed.messageId,
      contact: reporter,
      direction: 'incoming',
      contentType: IMDN_JOURNAL,
      content: JSON.stringify(payload),
      disposition: [],
      state: 'received',
      timestamp: formatTimestamp(message.parsed.timestamp),
    },
    context.clock.now(),
  );
  if (result.outcome !== 'stored') return false;
  context.events.emit({ kind: 'disposition-notification', account: original, payload });
  return true;
}

/**
 * A public key, checked by the admission before the fork (an invalid key is refused with 400 and stored
 * nowhere): stored as the authenticated sender's key (never the CPIM From's, sylk spec §8.33), recorded in
 * both journals, delivered live to the recipient.
 */
export async function deliverPublicKey(
  context: MessagingContext,
  message: InboundMessage,
  check: Extract<PublicKeyCheck, { ok: true }>,
): Promise<boolean> {
  const now = context.clock.now();
  const owner = message.sender.account;
  const record = {
    messageId: message.parsed.messageId,
    contentType: KEY_EXCHANGE,
    content: JSON.stringify({
      key_type: 'public',
      owner,
      fingerprint: check.fingerprint,
      public_key: check.armored,
    }),
    disposition: null,
    timestamp: formatTimestamp(message.parsed.timestamp),
  };
  // The owner's record, as the sender copy of any message: only for a native sender (sylk spec §2.5.1).
  const ownerHasStorage = message.senderCopy && (await context.storage.hasStorage(owner));
  const recipientHasStorage = await context.storage.hasStorage(message.recipient.account);
  // A copy of a key MESSAGE already recorded (a retransmitted fork) must not put back an older key.
  const journaled = await Promise.all([
    recipientHasStorage ? context.store.journal.get(message.recipient.account, record.messageId) : undefined,
    ownerHasStorage ? context.store.journal.get(owner, record.messageId) : undefined,
  ]);
  if (journaled.some((entry) => entry?.contentType === KEY_EXCHANGE)) return false;
  // The key is stored before the records: a record never names a key the store does not have.
  await context.store.publicKeys.set(owner, check.armored, now);
  const appended = await appendCopies(
    context,
    ownerHasStorage && owner !== message.recipient.account
      ? { ...record, contact: message.recipient.account, direction: 'outgoing', state: 'accepted' }
      : undefined,
    owner,
    recipientHasStorage ? { ...record, contact: owner, direction: 'incoming', state: 'received' } : undefined,
    message.recipient.account,
  );
  if (stored(appended.recipient)) emitMessage(context, message, PGP_PUBLIC_KEY, check.armored);
  return fresh(appended);
}

/**
 * A private key travels only between one account's devices (From = To = the authenticated sender); its content
 * is delivered live to the account's devices and never stored, the journal records only that it happened.
 */
export async function deliverPrivateKey(
  context: MessagingContext,
  message: InboundMessage,
): Promise<boolean> {
  const owner = message.sender.account;
  if (message.recipient.account !== owner)
    throw new RefusedMessage(403, 'Private Keys Only Between Own Devices');
  if (!(await context.storage.hasStorage(owner))) {
    emitMessage(context, message, PGP_PRIVATE_KEY, message.parsed.content);
    return true;
  }
  const result = await context.store.journal.append(
    owner,
    {
      messageId: message.parsed.messageId,
      contact: owner,
      direction: 'incoming',
      contentType: KEY_EXCHANGE,
      content: JSON.stringify({ key_type: 'private', owner }),
      disposition: null,
      state: 'received',
      timestamp: formatTimestamp(message.parsed.timestamp),
    },
    context.clock.now(),
  );
  if (result.outcome !== 'stored') return false;
  emitMessage(context, message, PGP_PRIVATE_KEY, message.parsed.content);
  return true;
}
