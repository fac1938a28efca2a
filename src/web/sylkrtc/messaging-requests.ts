/**
 * The one place where sylkRTC requests become MessagingService calls and the service's events become
 * sylkRTC frames (sylk spec §1.4, §1.5); the service decides everything (validation of content, journal,
 * replicas, delivery, push), this file only translates. The connection has already checked that the account
 * is added and authenticated on it (sylk spec §1.8, §8.32) and built the Caller from that.
 */
import type { MessagingEvent } from '../../messaging/events.js';
import type {
  Caller,
  MessagingService,
  PushTokenRegistration,
  ServiceRefusal,
  ServiceResult,
} from '../../messaging/service.js';
import { ACK, type Frame, type Outcome, refused } from './outcome.js';
import type {
  AccountDeviceTokenRequest,
  AccountMessageRequest,
  AccountUpdateAddressbookRequest,
  MessagingRequest,
} from './requests.js';

/** sylk spec §1.4.8: `limit` when the request has none. */
export const DEFAULT_SYNC_LIMIT = 5000;

export async function runMessagingRequest(
  service: MessagingService,
  caller: Caller,
  request: MessagingRequest,
  send: (frame: Frame) => void,
): Promise<Outcome> {
  switch (request.sylkrtc) {
    case 'account-message':
      return outcomeOf(
        await service.sendMessage(caller, {
          to: request.uri,
          messageId: request.messageId,
          contentType: request.contentType,
          content: request.content,
          timestamp: request.timestamp,
          original: originalMessage(request),
        }),
      );
    case 'account-disposition-notification':
      return outcomeOf(
        await service.sendDisposition(caller, {
          to: request.uri,
          messageId: request.messageId,
          messageTimestamp: request.timestamp,
          state: request.state,
        }),
      );
    case 'account-sync-conversations': {
      const limit = request.limit === undefined ? DEFAULT_SYNC_LIMIT : request.limit;
      // Python slice semantics for a negative limit (all but the last n) are no use to a client.
      if (limit !== null && limit < 0) {
        return refused(`Invalid value for 'limit' property: ${String(limit)} (expected: 0 or more, or null)`);
      }
      const result = await service.sync(caller, {
        messageId: request.messageId,
        since: request.since,
        limit: limit ?? undefined,
      });
      if (!result.ok) return refused(refusalText(result.refusal));
      const page = result.value;
      // The ack first, the result after it (sylk spec §1.4.8).
      return {
        kind: 'ack',
        afterAck: () => {
          send({
            sylkrtc: 'account-event',
            // As the client named it.
            account: request.account,
            event: 'sync-conversations',
            messages: page.messages,
            // Not in the reference: tells a client that the page stopped before its limit.
            ...(page.hasMore ? { has_more: true } : {}),
          });
          return Promise.resolve();
        },
      };
    }
    case 'account-mark-conversation-read':
      return outcomeOf(await service.markConversationRead(caller, request.contact));
    case 'account-remove-message':
      return outcomeOf(await service.removeMessage(caller, request.contact, request.messageId));
    case 'account-remove-conversation':
      return outcomeOf(await service.removeConversation(caller, request.contact));
    case 'account-fetch-addressbook':
      return fetchAddressBook(service, caller, request.account, send);
    case 'account-update-addressbook':
      return changeAddressBook(service, caller, request, send);
  }
}

/**
 * sylk spec §1.4.13: the book in an `addressbook-fetched` event, before the ack (as the reference's file mode
 * sends it). A book that cannot be read is an error, not an empty book (which a client takes for "every
 * contact deleted").
 */
async function fetchAddressBook(
  service: MessagingService,
  caller: Caller,
  account: string,
  send: (frame: Frame) => void,
): Promise<Outcome> {
  const result = await service.fetchAddressBook(caller);
  if (!result.ok) return refused(refusalText(result.refusal));
  send({ sylkrtc: 'account-event', account, event: 'addressbook-fetched', addressbook: result.value });
  return ACK;
}

/**
 * sylk spec §1.4.13: `addressbook-updated` to this connection (the service forks it to the account's other
 * devices), or `addressbook-update-failed` with why; the ack after either, as the reference sends them.
 */
async function changeAddressBook(
  service: MessagingService,
  caller: Caller,
  request: AccountUpdateAddressbookRequest,
  send: (frame: Frame) => void,
): Promise<Outcome> {
  const { action, type, data } = request;
  const result = await service.changeAddressBook(caller, { action, type, data });
  if (result.ok) {
    send({ ...result.value, account: request.account });
  } else {
    send({
      sylkrtc: 'account-event',
      account: request.account,
      event: 'addressbook-update-failed',
      type,
      action,
      error: refusalText(result.refusal),
      id: typeof data.id === 'string' ? data.id : null,
    });
  }
  return ACK;
}

/** sylk spec §1.4.12: the event before the ack, as the reference's file backend sends it. */
export async function lookUpPublicKey(
  service: MessagingService,
  uri: string,
  send: (frame: Frame) => void,
): Promise<Outcome> {
  const result = await service.lookUpPublicKey(uri);
  if (!result.ok) return refused(refusalText(result.refusal));
  send({ sylkrtc: 'lookup-public-key-event', uri, public_key: result.value ?? null });
  return ACK;
}

/** sylk spec §1.4.5 and §3.9: the device's push token, stored once the account is authenticated. */
export function deviceTokenOf(request: AccountDeviceTokenRequest): PushTokenRegistration {
  return {
    appId: request.app,
    deviceId: request.device,
    platform: request.platform,
    token: request.token,
    silent: request.silent,
  };
}

export async function registerPushToken(
  service: MessagingService,
  caller: Caller,
  token: PushTokenRegistration,
): Promise<Outcome> {
  return outcomeOf(await service.registerPushToken(caller, token));
}

/** sylk spec §1.4.4: account-unregister removes this device's token. */
export async function removeDeviceToken(
  service: MessagingService,
  caller: Caller,
  token: PushTokenRegistration,
): Promise<Outcome> {
  return outcomeOf(await service.removePushToken(caller, token.appId, token.deviceId));
}

/**
 * The frame of a service event for the account's connections (sylk spec §1.5.2–1.5.4): the payloads are the
 * `account-event` objects already. Push events are for the push dispatcher, not devices.
 */
export function eventFrame(event: MessagingEvent): Frame | undefined {
  switch (event.kind) {
    case 'message':
    case 'sync':
    case 'disposition-notification':
    case 'addressbook-updated':
      return event.payload;
    case 'push':
      return undefined;
  }
}

/**
 * sylk spec §1.5.3: the request as the reference replicates it to the account's other devices, its fields
 * in the reference's order (transaction, account, sylkrtc, then the type's own), AORs without scheme.
 */
function originalMessage(request: AccountMessageRequest): Record<string, unknown> {
  return {
    transaction: request.transaction,
    account: request.account,
    sylkrtc: 'account-message',
    uri: request.uri,
    message_id: request.messageId,
    content: request.content,
    content_type: request.contentType,
    timestamp: request.timestamp,
    ...(request.serverGenerated === undefined ? {} : { server_generated: request.serverGenerated }),
  };
}

function outcomeOf(result: ServiceResult<unknown>): Outcome {
  return result.ok ? ACK : refused(refusalText(result.refusal));
}

/** The service's words are the client's error text: each says what was refused and why. */
export function refusalText(refusal: ServiceRefusal): string {
  return refusal.reason;
}
