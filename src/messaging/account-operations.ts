/**
 * What an account does to its own journal and keys, whoever asks: the SIP "API" content types (sylk spec
 * §2.4) and the messaging service's operations (sylk spec §1.4.9 to §1.4.12) call these same rules. The
 * requester is always the authenticated account (or the proxy-asserted From), never a CPIM header. Each
 * resolves once its journal writes are durable; the MESSAGE to the account's SIP devices (sylk spec §2.7 row C)
 * and the sync events follow, the latter to every device of the account but `origin`, the one that asked.
 */
import { generateApiToken } from '../store/storage-accounts/api-token.js';
import type { NewEntry } from '../store/journal/types.js';
import { type MessagingContext, sendOwn } from './context.js';
import {
  API_TOKEN,
  CONVERSATION_READ,
  CONVERSATION_REMOVE,
  FILE_TRANSFER_CONTENT_TYPE,
  formatTimestamp,
  localTimestamp,
  MESSAGE_REMOVE,
  PGP_PUBLIC_KEY,
  parseFileTransfer,
  type Timestamp,
} from './formats/index.js';
import { syncEvent } from './events.js';
import { partyUri } from './inbound.js';
import type { DeviceRef } from './service.js';

/** The account an operation acts for, and the device that asked (undefined: a SIP device). */
export interface Requester {
  /** `user@domain`, authenticated. */
  readonly account: string;
  readonly origin?: DeviceRef | undefined;
}

/**
 * The From of the MESSAGE that tells the account's SIP devices of a read or removed conversation: the
 * contact when a WebSocket device asked (sylk spec §2.7 row C, sylk spec §1.4.9 step 4, sylk spec §9 test 36), the account
 * itself when a SIP device did (rows D3, D4).
 */
function notifierOf(requester: Requester, contact: string): string {
  return partyUri(requester.origin === undefined ? requester.account : contact);
}

function nowText(context: MessagingContext): string {
  return formatTimestamp(localTimestamp(context.clock.now()));
}

/** sylk spec §2.4.1: a new token (stored hashed), sent to the requester's devices. */
export async function issueApiToken(context: MessagingContext, requester: Requester): Promise<void> {
  const account = requester.account;
  const now = context.clock.now();
  const token = generateApiToken();
  await context.store.storageAccounts.touch(account, now);
  await context.store.storageAccounts.setToken(account, token, now, context.tokenLifetimeMs);
  sendOwn(context, {
    deliverTo: account,
    from: `sip:sylkserver@${context.serverHost()}`,
    to: partyUri(account),
    contentType: API_TOKEN,
    body: JSON.stringify({ token, url: `${context.publicUrl}/webrtcgateway/messages/history/${account}` }),
  });
}

/** sylk spec §1.4.12: the stored public key of `owner`, if there is one. */
export async function publicKeyOf(context: MessagingContext, owner: string): Promise<string | undefined> {
  return (await context.store.publicKeys.get(owner))?.key;
}

/** sylk spec §2.4.2: `owner`'s public key, sent to the requester's SIP devices, if there is one. */
export async function sendPublicKey(
  context: MessagingContext,
  requester: Requester,
  owner: string,
): Promise<void> {
  const key = await publicKeyOf(context, owner);
  if (key === undefined) return;
  sendOwn(context, {
    deliverTo: requester.account,
    from: partyUri(owner),
    to: partyUri(requester.account),
    contentType: PGP_PUBLIC_KEY,
    body: key,
  });
}

/**
 * sylk spec §2.4.3 and §1.4.10 with sylk spec §8.34: the requester's own copy goes, then the contact's incoming copy,
 * but only one whose contact is the requester (one cannot unsend someone else's message). Resolves false when
 * the requester had no such message.
 */
export async function removeMessage(
  context: MessagingContext,
  requester: Requester,
  contact: string,
  messageId: string,
): Promise<boolean> {
  const account = requester.account;
  if (!(await context.storage.hasStorage(account))) return false;
  const now = context.clock.now();
  const timestamp = nowText(context);
  const outgoing = { contact, message_id: messageId, direction: 'outgoing' as const };
  const own = await context.store.journal.removeMessage(account, messageId, {
    now,
    record: (removed) => (removed === undefined ? undefined : removeRecord(context, outgoing, timestamp)),
  });
  if (own.removed === undefined) return false;
  if (own.removed.contentType === FILE_TRANSFER_CONTENT_TYPE)
    removeTransferFiles(context, own.removed.content);
  const theirs =
    contact !== account && (await context.storage.hasStorage(contact))
      ? await context.store.journal.removeMessage(contact, messageId, {
          now,
          match: { contact: account, direction: 'incoming' },
          record: (removed) =>
            removed === undefined
              ? undefined
              : removeRecord(
                  context,
                  { contact: removed.contact, message_id: messageId, direction: 'incoming' },
                  timestamp,
                ),
        })
      : undefined;
  sendOwn(context, {
    deliverTo: account,
    from: partyUri(contact),
    to: partyUri(account),
    contentType: MESSAGE_REMOVE,
    body: JSON.stringify(outgoing),
  });
  context.events.emit(
    syncEvent(account, { type: 'message', action: 'remove', content: outgoing }),
    requester.origin,
  );
  if (theirs?.removed !== undefined) {
    context.events.emit(
      syncEvent(contact, {
        type: 'message',
        action: 'remove',
        content: { contact: theirs.removed.contact, message_id: messageId, direction: 'incoming' },
      }),
    );
  }
  return true;
}

function removeRecord(
  context: MessagingContext,
  content: { contact: string; message_id: string; direction: 'incoming' | 'outgoing' },
  timestamp: string,
): NewEntry {
  return {
    messageId: context.newId(),
    contact: content.contact,
    direction: content.direction,
    contentType: MESSAGE_REMOVE,
    content: JSON.stringify(content),
    disposition: [],
    state: null,
    timestamp,
  };
}

function conversationRecord(
  context: MessagingContext,
  contentType: string,
  contact: string,
  timestamp: string,
): NewEntry {
  return {
    messageId: context.newId(),
    contact,
    direction: '',
    contentType,
    content: contact,
    disposition: [],
    state: null,
    timestamp,
  };
}

/** sylk spec §2.4.4 and §1.4.9. */
export async function markConversationRead(
  context: MessagingContext,
  requester: Requester,
  contact: string,
): Promise<void> {
  const account = requester.account;
  if (!(await context.storage.hasStorage(account))) return;
  await context.store.journal.markConversationRead(account, contact, {
    now: context.clock.now(),
    record: conversationRecord(context, CONVERSATION_READ, contact, nowText(context)),
  });
  sendOwn(context, {
    deliverTo: account,
    from: notifierOf(requester, contact),
    to: partyUri(account),
    contentType: CONVERSATION_READ,
    body: JSON.stringify({ contact }),
  });
  context.events.emit(
    syncEvent(account, { type: 'conversation', action: 'read', content: { contact } }),
    requester.origin,
  );
}

/**
 * sylk spec §2.4.5 and §1.4.11, recommended variant: the conversation's messages are removed too (as the
 * WebSocket request does).
 */
export async function removeConversation(
  context: MessagingContext,
  requester: Requester,
  contact: string,
  given: Timestamp | undefined,
): Promise<void> {
  const account = requester.account;
  if (!(await context.storage.hasStorage(account))) return;
  const timestamp = given === undefined ? nowText(context) : formatTimestamp(given);
  await context.store.journal.removeConversation(account, contact, {
    now: context.clock.now(),
    record: conversationRecord(context, CONVERSATION_REMOVE, contact, timestamp),
  });
  sendOwn(context, {
    deliverTo: account,
    from: notifierOf(requester, contact),
    to: partyUri(account),
    contentType: CONVERSATION_REMOVE,
    body: JSON.stringify({ contact, timestamp }),
  });
  context.events.emit(
    syncEvent(account, { type: 'conversation', action: 'remove', content: { contact, timestamp } }),
    requester.origin,
  );
}

/**
 * sylk spec §1.4.10 step 1: a removed file-transfer message takes its stored files with it, whichever side
 * removes it (as the reference does). In the background: the removal is answered whatever the disk says.
 */
function removeTransferFiles(context: MessagingContext, content: string): void {
  const files = context.files;
  const transfer = parseFileTransfer(content);
  if (files === undefined || !transfer.ok) return;
  const { sender, receiver, transfer_id: transferId } = transfer.value;
  files.removeTransfer(sender.uri, receiver.uri, transferId).catch((error: unknown) => {
    context.logger?.error({ err: error, transferId }, 'transfer files not removed');
  });
}
