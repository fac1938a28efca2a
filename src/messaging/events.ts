/**
 * What the messaging application tells the live-sync and push layers (the WebSocket API and the push client
 * subscribe here; sylk spec §1.5, §5). Payloads are the sylkrtc `account-event` objects as the WebSocket layer sends
 * them, so that layer forwards them unchanged to the account's authenticated connections. Events are emitted
 * only after the journal write they describe is durable, and never for a duplicate message (sylk spec §8.20).
 */

export interface MessageSenderIdentity {
  readonly uri: string;
  readonly display_name: string | null;
}

/** Sylk spec §1.5.2: a message for the account's devices. */
export interface MessageEventPayload {
  readonly sylkrtc: 'account-event';
  readonly account: string;
  readonly event: 'message';
  readonly sender: MessageSenderIdentity;
  readonly timestamp: string;
  readonly disposition_notification: readonly string[] | null;
  readonly message_id: string;
  readonly content_type: string;
  readonly content: string;
}

export interface SyncMessageAdd {
  readonly transaction: string;
  readonly account: string;
  readonly sylkrtc: 'account-message';
  readonly uri: string;
  readonly message_id: string;
  readonly content: string;
  readonly content_type: string;
  readonly timestamp: string;
  /** Set on the copy of a message a native SIP device sent (sylk spec §1.5.3); absent on a WebSocket one's. */
  readonly server_generated?: true;
}

export interface SyncMessageRemove {
  readonly contact: string;
  readonly message_id: string;
  readonly direction: 'incoming' | 'outgoing';
}

/** What a sync event says (sylk spec §1.5.3), without the envelope every one of them shares. */
export type SyncChange =
  | { readonly type: 'message'; readonly action: 'add'; readonly content: SyncMessageAdd }
  | { readonly type: 'message'; readonly action: 'remove'; readonly content: SyncMessageRemove }
  | { readonly type: 'conversation'; readonly action: 'read'; readonly content: { readonly contact: string } }
  | {
      readonly type: 'conversation';
      readonly action: 'remove';
      readonly content: { readonly contact: string; readonly timestamp: string };
    };

/** Sylk spec §1.5.3: replication of what happened on one device (or the SIP side) to the account's devices. */
export type SyncEventPayload = {
  readonly sylkrtc: 'account-event';
  readonly account: string;
  readonly event: 'sync';
} & SyncChange;

/** The sync event of `change` for the account's devices. */
export function syncEvent(account: string, change: SyncChange): MessagingEvent {
  return { kind: 'sync', account, payload: { sylkrtc: 'account-event', account, event: 'sync', ...change } };
}

/** Sylk spec §1.5.4 from an incoming IMDN. */
export interface DispositionEventPayload {
  readonly sylkrtc: 'account-event';
  readonly account: string;
  readonly event: 'disposition-notification';
  readonly message_id: string;
  readonly message_timestamp: string;
  readonly state: string;
  readonly code: number;
  readonly reason: string;
}

/** sylk spec §1.4.13: a change of the account's address book, for its other devices. */
export interface AddressBookEventPayload {
  readonly sylkrtc: 'account-event';
  readonly account: string;
  readonly event: 'addressbook-updated';
  readonly type: string;
  readonly action: string;
  /** The changed object, under the key its type names (`contact`, `group` or `policy`). */
  readonly [type: string]: unknown;
}

/** Sylk spec §5.1: what a message push needs; the push client adds the device tokens and the call-id. */
export interface MessagePush {
  readonly account: string;
  /** The sender's AOR. */
  readonly from: string;
  readonly fromDisplayName: string | null;
  readonly to: string;
  readonly messageId: string;
  readonly contentType: string;
  readonly content: string;
  /** max(1, the account's unread count after this message was stored) (sylk spec §3.7, recommended rule). */
  readonly badge: number;
}

export type MessagingEvent =
  | { readonly kind: 'message'; readonly account: string; readonly payload: MessageEventPayload }
  | { readonly kind: 'sync'; readonly account: string; readonly payload: SyncEventPayload }
  | {
      readonly kind: 'disposition-notification';
      readonly account: string;
      readonly payload: DispositionEventPayload;
    }
  | {
      readonly kind: 'addressbook-updated';
      readonly account: string;
      readonly payload: AddressBookEventPayload;
    }
  | { readonly kind: 'push'; readonly account: string; readonly push: MessagePush };

/**
 * Where the application sends its events. `origin` is the device whose request caused the event: it does not
 * get it back (sylk spec §1.5.3, "fork to the other connections"); events from the SIP side have none.
 */
export interface MessagingEventSink {
  emit(event: MessagingEvent, origin?: EventOrigin): void;
}

/** The device an event came from: a service.ts DeviceRef (events.ts stays below service.ts). */
export interface EventOrigin {
  readonly id: string;
}
