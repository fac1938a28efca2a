/**
 * The SIP "API" content types (spec §2.4): token, public-key lookup, unsend, conversation read and remove. The
 * requester is always the authenticated sender (or the proxy-asserted From), never a CPIM header. Each
 * resolves once its journal writes are durable; replies and sync events follow.
 */
import { generateApiToken } from '../store/storage-accounts/api-token.js';
import type { NewEntry } from '../store/journal/types.js';
import { type MessagingContext, sendOwn } from './context.js';
import {
  API_TOKEN,
  CONVERSATION_READ,
  CONVERSATION_REMOVE,
  formatTimestamp,
  localTimestamp,
  MESSAGE_REMOVE,
  PGP_PUBLIC_KEY,
  type Timestamp,
} from './formats/index.js';
import { syncEvent } from './events.js';
import type { InboundMessage } from './inbound.js';

function nowText(context: MessagingContext): string {
  return formatTimestamp(localTimestamp(context.clock.now()));
}

/** §2.4.1: a new token (stored hashed), replied to the requester's devices. */
export async function handleApiToken(context: MessagingContext, message: InboundMessage): Promise<void> {
  const account = message.sender.account;
  const now = context.clock.now();
  const token = generateApiToken();
  await context.store.storageAccounts.touch(account, now);
  await context.store.storageAccounts.setToken(account, token, now, context.tokenLifetimeMs);
  sendOwn(context, {
    deliverTo: account,
    from: `sip:sylkserver@${context.serverHost()}`,
    to: message.sender.uri,
    contentType: API_TOKEN,
    body: JSON.stringify({ token, url: `${context.publicUrl}/webrtcgateway/messages/history/${account}` }),
  });
}

/** §2.4.2: the To account's public key, sent to the requester, if there is one. */
export async function handleKeyLookup(context: MessagingContext, message: InboundMessage): Promise<void> {
  const key = await context.store.publicKeys.get(message.recipient.account);
  if (key === undefined) return;
  sendOwn(context, {
    deliverTo: message.sender.account,
    from: message.recipient.uri,
    to: message.sender.uri,
    contentType: PGP_PUBLIC_KEY,
    body: key.key,
  });
}

/**
 * §2.4.3 with §8.34: the requester's own copy goes, then the recipient's incoming copy, but only one whose
 * contact is the requester (one cannot unsend someone else's message).
 */
export async function handleMessageRemove(
  context: MessagingContext,
  message: InboundMessage,
  messageId: string,
): Promise<void> {
  const requester = message.sender.account;
  const contact = message.recipient.account;
  if (!(await context.storage.hasStorage(requester))) return;
  const now = context.clock.now();
  const timestamp = nowText(context);
  const outgoing = { contact, message_id: messageId, direction: 'outgoing' as const };
  const own = await context.store.journal.removeMessage(requester, messageId, {
    now,
    record: (removed) => (removed === undefined ? undefined : removeRecord(context, outgoing, timestamp)),
  });
  if (own.removed === undefined) return;
  const theirs =
    contact !== requester && (await context.storage.hasStorage(contact))
      ? await context.store.journal.removeMessage(contact, messageId, {
          now,
          match: { contact: requester, direction: 'incoming' },
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
    deliverTo: requester,
    from: message.recipient.uri,
    to: message.sender.uri,
    contentType: MESSAGE_REMOVE,
    body: JSON.stringify(outgoing),
  });
  context.events.emit(
    syncEvent(requester, {
      type: 'message',
      action: 'remove',
      content: outgoing,
    }),
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

/** §2.4.4. */
export async function handleConversationRead(
  context: MessagingContext,
  message: InboundMessage,
  contact: string,
): Promise<void> {
  const account = message.sender.account;
  if (!(await context.storage.hasStorage(account))) return;
  await context.store.journal.markConversationRead(account, contact, {
    now: context.clock.now(),
    record: conversationRecord(context, CONVERSATION_READ, contact, nowText(context)),
  });
  sendOwn(context, {
    deliverTo: account,
    from: message.sender.uri,
    to: message.sender.uri,
    contentType: CONVERSATION_READ,
    body: JSON.stringify({ contact }),
  });
  context.events.emit(
    syncEvent(account, {
      type: 'conversation',
      action: 'read',
      content: { contact },
    }),
  );
}

/** §2.4.5, recommended variant: the conversation's messages are removed too (as the WebSocket request does). */
export async function handleConversationRemove(
  context: MessagingContext,
  message: InboundMessage,
  contact: string,
  given: Timestamp | undefined,
): Promise<void> {
  const account = message.sender.account;
  if (!(await context.storage.hasStorage(account))) return;
  const timestamp = given === undefined ? nowText(context) : formatTimestamp(given);
  await context.store.journal.removeConversation(account, contact, {
    now: context.clock.now(),
    record: conversationRecord(context, CONVERSATION_REMOVE, contact, timestamp),
  });
  sendOwn(context, {
    deliverTo: account,
    from: message.sender.uri,
    to: message.sender.uri,
    contentType: CONVERSATION_REMOVE,
    body: JSON.stringify({ contact, timestamp }),
  });
  context.events.emit(
    syncEvent(account, {
      type: 'conversation',
      action: 'remove',
      content: { contact, timestamp },
    }),
  );
}
