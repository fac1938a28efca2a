/**
 * The messaging service (service.ts) over the journal: what a device of an authenticated account may do, by
 * the same rules whichever adapter it speaks through. A WebSocket device's message becomes the MESSAGE a SIP
 * device would have sent (service-requests.ts) and goes through the same intake (admission, journal writes,
 * events); the journal operations are account-operations.ts, which the SIP API requests call too.
 *
 * Where the recipient is: standalone, missive is the proxy of the served domains, so the intake keeps the
 * recipient's copy too, as it does for a SIP device's MESSAGE it forks. A recipient of another domain, or any
 * recipient behind a proxy, is reached by the MESSAGE alone (behind a proxy, the proxy forks it back to
 * missive with X-Sylk-App for the recipient's copy).
 */
import type { AddressBook, AddressBookChange } from './address-book/address-book.js';
import type { AddressBooks } from './address-book/address-books.js';
import type { AddressBookEventPayload } from './events.js';
import type { Logger } from 'pino';
import { type Aor, aorOfUri, normalizeAor } from '../registrar/aor.js';
import { parseUri } from '../sip/uri.js';
import {
  markConversationRead,
  publicKeyOf,
  removeConversation,
  removeMessage,
} from './account-operations.js';
import type { Identities } from './admission.js';
import type { MessagingContext } from './context.js';
import type { MessagingEvent } from './events.js';
import { fileTransferNotices } from './file-transfer-notices.js';
import { type FileTransferMessage, formatTimestamp, isApiRequest, localTimestamp } from './formats/index.js';
import type { MessageIntake } from './message-intake.js';
import type { OwnFinal } from './own-final.js';
import { pushTokenOf } from './push-token.js';
import type {
  AuthenticatedAccount,
  Caller,
  DeviceRef,
  MessagingService,
  OutgoingDisposition,
  OutgoingMessage,
  PushTokenRegistration,
  ServiceResult,
  Subscription,
  SyncPage,
  SyncQuery,
} from './service.js';
import { refusalOf } from './service-refusal.js';
import {
  dispositionRequest,
  fileTransferRequest,
  messageRequest,
  type WireMessage,
} from './service-requests.js';
import type { AccountSubscriptions } from './subscriptions.js';
import { type SyncLimits, syncPage } from './sync-page.js';

export interface SylkMessagingServiceOptions {
  readonly context: MessagingContext;
  readonly intake: MessageIntake;
  readonly subscriptions: AccountSubscriptions;
  /**
   * Standalone: missive is the registrar and proxy of these domains, and keeps their users' copies. Behind a
   * proxy: nothing is local, every message goes out through the proxy.
   */
  readonly isServedDomain: (domain: string) => boolean;
  readonly syncLimits: SyncLimits;
  readonly addressBooks: AddressBooks;
  readonly logger?: Logger | undefined;
}

const OK: ServiceResult = { ok: true, value: undefined };

export class SylkMessagingService implements MessagingService {
  readonly #context: MessagingContext;
  readonly #intake: MessageIntake;
  readonly #subscriptions: AccountSubscriptions;
  readonly #isServedDomain: (domain: string) => boolean;
  readonly #syncLimits: SyncLimits;
  readonly #addressBooks: AddressBooks;

  constructor(options: SylkMessagingServiceOptions) {
    this.#context = options.context;
    this.#intake = options.intake;
    this.#subscriptions = options.subscriptions;
    this.#isServedDomain = options.isServedDomain;
    this.#syncLimits = options.syncLimits;
    this.#addressBooks = options.addressBooks;
  }

  sendMessage(caller: Caller, message: OutgoingMessage): Promise<ServiceResult> {
    return this.#guard('message not sent', async () => {
      const recipient = aorOf(message.to);
      if (recipient === undefined) return invalid('Invalid Recipient');
      const wire = messageRequest(caller.account, recipient.key, message);
      if (!wire.ok) return wire;
      const local = this.#isServedDomain(recipient.domain);
      // Standalone, a served recipient with a journal has the message once it is stored, as a SIP sender's
      // 200 says; any other recipient has it when the SIP final answer says so (sylk spec §1.4.6 step 6).
      const stored = local && (await this.#context.storage.hasStorage(recipient.key));
      const identities = this.#identities(caller, recipient, local, {
        senderState: stored ? 'accepted' : 'pending',
        origin: { device: caller.device, transaction: transactionOf(message) },
      });
      const admission = await this.#intake.admit(wire.value.request, identities);
      if (!admission.admitted) return { ok: false, refusal: refusalOf(admission.answer) };
      // The SIP API requests have operations of their own; a device does not send them as messages.
      if (isApiRequest(admission.message.inbound.classified.kind)) return invalid('Not A Message');
      const answer = await this.#intake.deliver(admission.message);
      if (answer.status >= 300) return { ok: false, refusal: refusalOf(answer) };
      const settle = (final: OwnFinal): void => {
        this.#settleDelivery(caller, message.messageId, wire.value, final);
      };
      this.#send(caller, recipient, wire.value, stored ? undefined : settle);
      if (stored) this.#reportDelivery(caller, message.messageId, wire.value, { status: 200, reason: 'OK' });
      if (local) this.#replicate(caller, recipient, wire.value);
      return OK;
    });
  }

  sendDisposition(caller: Caller, disposition: OutgoingDisposition): Promise<ServiceResult> {
    return this.#guard('disposition not sent', async () => {
      const recipient = aorOf(disposition.to);
      if (recipient === undefined) return invalid('Invalid Recipient');
      const now = localTimestamp(this.#context.clock.now());
      const wire = dispositionRequest(caller.account, recipient.key, disposition, now, this.#context.newId);
      if (!wire.ok) return wire;
      const local = this.#isServedDomain(recipient.domain);
      // The intake moves both copies forward (sylk spec §2.6, §1.4.7 step 2) and tells the original's devices.
      const identities = this.#identities(caller, recipient, local, {});
      const answer = await this.#intake.admitAndDeliver(wire.value.request, identities);
      if (answer.status >= 300) return { ok: false, refusal: refusalOf(answer) };
      if (!local) await this.#updateReceivedCopy(caller.account, recipient.key, disposition);
      this.#send(caller, recipient, wire.value, undefined);
      return OK;
    });
  }

  announceFileTransfer(caller: Caller, transfer: FileTransferMessage): Promise<ServiceResult> {
    return this.#guard('file transfer not announced', async () => {
      if (normalizeAor(transfer.sender.uri) !== caller.account)
        return { ok: false, refusal: { kind: 'forbidden', reason: 'Not The Sender' } };
      const recipient = aorOf(transfer.receiver.uri);
      if (recipient === undefined) return invalid('Invalid Recipient');
      const now = localTimestamp(this.#context.clock.now());
      const announced = { ...transfer, receiver: { ...transfer.receiver, uri: recipient.key } };
      const wire = fileTransferRequest(announced, now);
      if (!wire.ok) return wire;
      // Row E as the reference's loop through its own SIP listener applies it: the sender's copy and, when the
      // receiver has a journal here (a served domain, or behind a proxy), the receiver's; no device origin,
      // so the sync to every device of the sender says server_generated (sylk spec §9 test 55).
      const identities: Identities = {
        ...this.#identities(caller, recipient, true, { senderState: 'accepted' }),
        remoteRecipient: false,
      };
      const answer = await this.#intake.admitAndDeliver(wire.value.request, identities);
      if (answer.status >= 300) return { ok: false, refusal: refusalOf(answer) };
      for (const notice of fileTransferNotices(announced, now) ?? []) {
        this.#context.uac.send(notice).catch((error: unknown) => {
          this.#context.logger?.warn({ err: error }, 'file transfer notice not sent');
        });
      }
      return OK;
    });
  }

  sync(caller: Caller, query: SyncQuery): Promise<ServiceResult<SyncPage>> {
    return this.#guard('sync failed', () =>
      syncPage(this.#context.store.journal, caller.account, query, this.#syncLimits),
    );
  }

  markConversationRead(caller: Caller, contact: string): Promise<ServiceResult> {
    return this.#guard('conversation not marked read', async () => {
      const key = normalizeAor(contact);
      if (key === undefined) return invalid('Invalid Contact');
      await markConversationRead(this.#context, requester(caller), key);
      return OK;
    });
  }

  removeMessage(caller: Caller, contact: string, messageId: string): Promise<ServiceResult> {
    return this.#guard('message not removed', async () => {
      const key = normalizeAor(contact);
      if (key === undefined) return invalid('Invalid Contact');
      if (messageId.trim() === '') return invalid('Missing Message Id');
      await removeMessage(this.#context, requester(caller), key, messageId);
      return OK;
    });
  }

  removeConversation(caller: Caller, contact: string): Promise<ServiceResult> {
    return this.#guard('conversation not removed', async () => {
      const key = normalizeAor(contact);
      if (key === undefined) return invalid('Invalid Contact');
      await removeConversation(this.#context, requester(caller), key, undefined);
      return OK;
    });
  }

  lookUpPublicKey(uri: string): Promise<ServiceResult<string | undefined>> {
    return this.#guard('public key lookup failed', async () => {
      const key = normalizeAor(uri);
      if (key === undefined) return invalid('Invalid URI');
      return { ok: true, value: await publicKeyOf(this.#context, key) };
    });
  }

  fetchAddressBook(caller: Caller): Promise<ServiceResult<AddressBook>> {
    return this.#guard('address book fetch failed', () => this.#addressBooks.fetch(caller));
  }

  changeAddressBook(
    caller: Caller,
    change: AddressBookChange,
  ): Promise<ServiceResult<AddressBookEventPayload>> {
    return this.#guard('address book change failed', () => this.#addressBooks.change(caller, change));
  }

  registerPushToken(caller: Caller, token: PushTokenRegistration): Promise<ServiceResult> {
    return this.#guard('push token not stored', async () => {
      const record = pushTokenOf(caller.account, token, this.#context.clock.now());
      if (!record.ok) return record;
      await this.#context.store.pushTokens.upsert(record.value);
      return OK;
    });
  }

  removePushToken(caller: Caller, appId: string, deviceId: string): Promise<ServiceResult> {
    return this.#guard('push token not removed', async () => {
      await this.#context.store.pushTokens.remove(caller.account, appId, deviceId);
      return OK;
    });
  }

  subscribe(
    account: AuthenticatedAccount,
    device: DeviceRef,
    listener: (event: MessagingEvent) => void,
  ): Subscription {
    return this.#subscriptions.subscribe(account, device, listener);
  }

  #identities(
    caller: Caller,
    recipient: Aor,
    local: boolean,
    extra: Pick<Identities, 'senderState' | 'origin'>,
  ): Identities {
    return {
      // The caller's account was authenticated by its adapter: it is a well-formed AOR.
      sender: aorOf(caller.account) ?? { user: '', domain: '', key: caller.account },
      recipient,
      senderCopy: true,
      // The caller's other devices learn of it by the sync event, its SIP devices by #replicate.
      replicate: false,
      source: undefined,
      remoteRecipient: !local,
      ...extra,
    };
  }

  /** The MESSAGE to the recipient's devices (standalone) or through the outbound proxy. */
  #send(
    caller: Caller,
    recipient: Aor,
    wire: WireMessage,
    onFinal: ((final: OwnFinal) => void) | undefined,
  ): void {
    this.#context.uac
      .send({
        deliverTo: recipient.key,
        from: `sip:${caller.account}`,
        to: `sip:${recipient.key}`,
        contentType: 'message/cpim',
        body: wire.request.body,
        onFinal,
      })
      .catch((error: unknown) => {
        this.#context.logger?.warn({ err: error }, 'MESSAGE of a device not sent');
        onFinal?.({ status: 500, reason: 'Server Internal Error' });
      });
  }

  /** Standalone: the caller's SIP devices get the copy a SIP sender's other devices get. */
  #replicate(caller: Caller, recipient: Aor, wire: WireMessage): void {
    this.#context.uac
      .send({
        deliverTo: caller.account,
        from: `sip:${caller.account}`,
        to: `sip:${recipient.key}`,
        contentType: 'message/cpim',
        body: wire.request.body,
        headers: [['X-Replicated-Message', 'yes']],
      })
      .catch((error: unknown) => {
        this.#context.logger?.warn({ err: error }, 'replicated MESSAGE not sent');
      });
  }

  /** sylk spec §1.4.6 step 6: the SIP final answer moves the sender's copy to accepted or failed, then reports. */
  #settleDelivery(caller: Caller, messageId: string, wire: WireMessage, final: OwnFinal): void {
    const state = final.status < 300 ? 'accepted' : 'failed';
    const account = caller.account;
    const journal = this.#context.store.journal;
    journal
      .get(account, messageId)
      .then((entry) =>
        entry?.direction === 'outgoing' ? journal.updateState(account, messageId, state) : undefined,
      )
      .then(
        () => {
          this.#reportDelivery(caller, messageId, wire, final);
        },
        (error: unknown) => {
          this.#context.logger?.error({ err: error, account }, 'delivery state not stored');
        },
      );
  }

  /** The outcome as a disposition-notification to every device of the account, the sending one included. */
  #reportDelivery(caller: Caller, messageId: string, wire: WireMessage, final: OwnFinal): void {
    const account = caller.account;
    this.#context.events.emit({
      kind: 'disposition-notification',
      account,
      payload: {
        sylkrtc: 'account-event',
        account,
        event: 'disposition-notification',
        message_id: messageId,
        message_timestamp: formatTimestamp(wire.timestamp),
        state: final.status < 300 ? 'accepted' : 'failed',
        code: final.status,
        reason: final.reason,
      },
    });
  }

  /** To another domain, or behind a proxy: the caller's received copy moves here (sylk spec §1.4.7 step 2). */
  async #updateReceivedCopy(
    account: string,
    contact: string,
    disposition: OutgoingDisposition,
  ): Promise<void> {
    const state = disposition.state === 'forbidden' ? 'failed' : disposition.state;
    const journal = this.#context.store.journal;
    const entry = await journal.get(account, disposition.messageId);
    if (entry?.contact === contact && entry.direction === 'incoming')
      await journal.updateState(account, disposition.messageId, state);
  }

  /** A storage failure is `unavailable` (nothing accepted; the caller may retry), logged with its stack. */
  async #guard<T>(what: string, operation: () => Promise<ServiceResult<T>>): Promise<ServiceResult<T>> {
    try {
      return await operation();
    } catch (error) {
      this.#context.logger?.error({ err: error }, what);
      return { ok: false, refusal: { kind: 'unavailable', reason: 'Storage Failure' } };
    }
  }
}

function requester(caller: Caller): { account: string; origin: DeviceRef } {
  return { account: caller.account, origin: caller.device };
}

function aorOf(text: string): Aor | undefined {
  const key = normalizeAor(text);
  const uri = key === undefined ? undefined : parseUri(`sip:${key}`);
  return uri === undefined ? undefined : aorOfUri(uri);
}

/** The sylkrtc transaction of the device's request, for its other devices' sync copy (sylk spec §1.5.3). */
function transactionOf(message: OutgoingMessage): string {
  const transaction = message.original?.['transaction'];
  return typeof transaction === 'string' ? transaction : '';
}

function invalid<T>(reason: string): ServiceResult<T> {
  return { ok: false, refusal: { kind: 'invalid', reason } };
}
