/**
 * The journal entries a MESSAGE will add, worked out before anything is written or forked, so that the
 * admission can check them against what the journals already hold: a message id another party used (the id
 * is unique within an account, sylk spec §3.3) and the account's quota. Mirrors what deliveries.ts writes.
 */
import type { Direction } from '../store/journal/types.js';
import type { MessagingContext } from './context.js';
import { NOT_STORED_FOR_SENDER } from './formats/index.js';
import type { InboundMessage } from './inbound.js';

export interface PlannedEntry {
  /** Whose journal. */
  readonly account: string;
  readonly contact: string;
  readonly direction: Direction;
  /** The sender's own copy, or the recipient's. */
  readonly side: 'sender' | 'recipient';
  /** The content's UTF-8 bytes (an estimate for records built from it: the quota's unit). */
  readonly bytes: number;
}

/** Which sides keep a copy: the sender's only for a native sender with storage, the recipient's with storage. */
export async function copySides(
  context: MessagingContext,
  message: InboundMessage,
): Promise<{ sender: boolean; recipient: boolean }> {
  const sender =
    message.senderCopy &&
    !NOT_STORED_FOR_SENDER.has(message.parsed.contentType) &&
    (await context.storage.hasStorage(message.sender.account));
  const recipient = !message.remoteRecipient && (await context.storage.hasStorage(message.recipient.account));
  return { sender, recipient };
}

/** The entries with the MESSAGE's own id that delivering it appends; none for API requests and is-composing. */
export async function plannedEntries(
  context: MessagingContext,
  message: InboundMessage,
): Promise<PlannedEntry[]> {
  const sender = message.sender.account;
  const recipient = message.recipient.account;
  const bytes = Buffer.byteLength(message.parsed.content, 'utf8');
  const toRecipient: PlannedEntry = {
    account: recipient,
    contact: sender,
    direction: 'incoming',
    side: 'recipient',
    bytes,
  };
  const fromSender: PlannedEntry = {
    account: sender,
    contact: recipient,
    direction: 'outgoing',
    side: 'sender',
    bytes,
  };
  switch (message.classified.kind) {
    case 'message':
    case 'file-transfer': {
      const sides = await copySides(context, message);
      return [...(sides.sender ? [fromSender] : []), ...(sides.recipient ? [toRecipient] : [])];
    }
    case 'imdn':
      // The message/imdn entry in the original sender's journal (sylk spec §2.6 step 4).
      return (await context.storage.hasStorage(recipient)) ? [toRecipient] : [];
    case 'pgp-public-key': {
      const owner = message.senderCopy && sender !== recipient && (await context.storage.hasStorage(sender));
      const theirs = await context.storage.hasStorage(recipient);
      return [...(owner ? [fromSender] : []), ...(theirs ? [toRecipient] : [])];
    }
    case 'pgp-private-key':
      return (await context.storage.hasStorage(sender)) ? [toRecipient] : [];
    default:
      return [];
  }
}

/**
 * Whether an entry already in `planned.account`'s journal with the message's id is this same message (a
 * retry, or the fork's other copy): same other party and direction. In a conversation with oneself both
 * directions share the contact, and the store keeps one of them.
 */
export function sameMessage(
  existing: { readonly contact: string; readonly direction: Direction },
  planned: PlannedEntry,
): boolean {
  if (existing.contact !== planned.contact) return false;
  return existing.direction === planned.direction || planned.contact === planned.account;
}

/** Whether `entry` in `account`'s journal is the account's own message to `reporter` (or, to oneself). */
export function isOwnMessageTo(
  entry: { readonly contact: string; readonly direction: string },
  account: string,
  reporter: string,
): boolean {
  return entry.contact === reporter && (entry.direction === 'outgoing' || reporter === account);
}
