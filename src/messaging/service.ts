/**
 * The messaging service as its adapters see it (SIP, the sylkRTC WebSocket API, HTTP): one transport-neutral
 * interface with the operations of sylk spec §1.4 and §2.4, and events per authenticated account (sylk spec
 * §1.5). An adapter authenticates first (SIP digest, `account-register`, an API token) and only then holds an
 * AuthenticatedAccount; every operation acts for that account alone, and a subscription receives that
 * account's events alone, never another's (sylk spec §8.32).
 *
 * The service decides (validation, limits, journal writes, replicas to the account's other devices, the SIP
 * MESSAGEs to the recipient's devices, push); adapters only translate. What an operation answers is the
 * service's decision, in words an adapter maps onto its own protocol (a SIP status, a sylkRTC `error`).
 */
import type { AddressBook, AddressBookChange } from './address-book/address-book.js';
import type { AddressBookEventPayload, MessagingEvent } from './events.js';
import type { FileTransferMessage } from './formats/file-transfer.js';

/** `user@domain` of an account that an adapter has authenticated; only an authenticator makes one. */
export type AuthenticatedAccount = string & { readonly __authenticated: unique symbol };

/** Marks `account` as authenticated: for authenticators alone (digest, account-register, API token). */
export function authenticatedAccount(account: string): AuthenticatedAccount {
  return account as AuthenticatedAccount;
}

/**
 * Which device of the account acts: events it caused are not sent back to it (sylk spec §1.5.3, "fork to the
 * other connections"). Opaque to the service; adapters make one per connection or SIP flow.
 */
export interface DeviceRef {
  readonly id: string;
}

/** Who calls: the account and the device it speaks from. */
export interface Caller {
  readonly account: AuthenticatedAccount;
  readonly device: DeviceRef;
}

/** Why the service refused or failed; `reason` is a short text for a person (a SIP reason phrase). */
export type ServiceRefusal =
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'forbidden'; readonly reason: string }
  | { readonly kind: 'too-large'; readonly reason: string }
  | { readonly kind: 'rate-limited'; readonly reason: string }
  | { readonly kind: 'quota'; readonly reason: string }
  | { readonly kind: 'not-found'; readonly reason: string }
  /** Storage failed: nothing was accepted, the caller may retry. */
  | { readonly kind: 'unavailable'; readonly reason: string };

export type ServiceResult<T = undefined> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal: ServiceRefusal };

/** sylk spec §1.4.6: a 1:1 message from the caller. `content` as the client sent it (text or latin-1). */
export interface OutgoingMessage {
  readonly to: string;
  readonly messageId: string;
  readonly contentType: string;
  readonly content: string;
  /** ISO-8601, the client's. */
  readonly timestamp: string;
  /** The request object as the client sent it, replicated unchanged to the account's other devices. */
  readonly original?: Readonly<Record<string, unknown>> | undefined;
}

/** sylk spec §1.4.7. */
export interface OutgoingDisposition {
  readonly to: string;
  readonly messageId: string;
  readonly messageTimestamp: string;
  readonly state: 'delivered' | 'displayed' | 'error' | 'failed' | 'forbidden';
}

/** sylk spec §1.4.8 and §3.6: after `messageId`, else since `since`, `limit` at most (undefined: no limit). */
export interface SyncQuery {
  readonly messageId?: string | undefined;
  readonly since?: string | undefined;
  readonly limit?: number | undefined;
}

/** The journal `Message` object of sylk spec §1.5.2, as sync-conversations and the history send it. */
export interface JournalMessage {
  readonly contact: string;
  readonly timestamp: string;
  readonly disposition: readonly string[] | null;
  readonly message_id: string;
  readonly content_type: string;
  readonly content: string;
  readonly direction: 'incoming' | 'outgoing' | '';
  readonly state: string | null;
}

export interface SyncPage {
  readonly messages: readonly JournalMessage[];
  /** More entries follow the last one (page on with its message_id). */
  readonly hasMore: boolean;
}

/** sylk spec §1.4.5 and §3.9. */
export interface PushTokenRegistration {
  readonly appId: string;
  readonly deviceId: string;
  readonly platform: string;
  readonly token: string;
  readonly silent: boolean;
}

/** A live subscription to one account's events; end it when the device goes. */
export interface Subscription {
  unsubscribe(): void;
}

export interface MessagingService {
  /**
   * Stores the caller's copy, sends the message to the recipient's devices and replicates it to the caller's
   * other devices; resolves once the caller's copy is durable. How delivery ended comes later as a
   * `disposition-notification` event (accepted or failed, sylk spec §1.5.4) to the caller's devices.
   */
  sendMessage(caller: Caller, message: OutgoingMessage): Promise<ServiceResult>;
  sendDisposition(caller: Caller, disposition: OutgoingDisposition): Promise<ServiceResult>;
  sync(caller: Caller, query: SyncQuery): Promise<ServiceResult<SyncPage>>;
  markConversationRead(caller: Caller, contact: string): Promise<ServiceResult>;
  removeMessage(caller: Caller, contact: string, messageId: string): Promise<ServiceResult>;
  removeConversation(caller: Caller, contact: string): Promise<ServiceResult>;
  /**
   * A file the caller uploaded is stored (sylk spec §4.3.2): the message of sylk spec §2.7 row E goes through the
   * journal exactly as a message does (both copies, the caller's devices' sync, the receiver's live event
   * and push), and the receiver's and the caller's SIP devices get rows G, F and H. `transfer.sender.uri`
   * must be the caller's account.
   */
  announceFileTransfer(caller: Caller, transfer: FileTransferMessage): Promise<ServiceResult>;
  /** Anyone may look a public key up (sylk spec §1.4.12); undefined when none is stored. */
  lookUpPublicKey(uri: string): Promise<ServiceResult<string | undefined>>;
  /** sylk spec §1.4.13: the caller's address book. */
  fetchAddressBook(caller: Caller): Promise<ServiceResult<AddressBook>>;
  /** One change of the caller's address book; its other devices get the event, the caller gets it back. */
  changeAddressBook(
    caller: Caller,
    change: AddressBookChange,
  ): Promise<ServiceResult<AddressBookEventPayload>>;
  registerPushToken(caller: Caller, token: PushTokenRegistration): Promise<ServiceResult>;
  removePushToken(caller: Caller, appId: string, deviceId: string): Promise<ServiceResult>;
  /**
   * The account's events from now on (message, sync, disposition-notification), except those `device`
   * caused itself. Push events are not included: they are for the push dispatcher (issue 13), not devices.
   */
  subscribe(
    account: AuthenticatedAccount,
    device: DeviceRef,
    listener: (event: MessagingEvent) => void,
  ): Subscription;
}
