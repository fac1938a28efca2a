/**
 * The address-book service (sylk spec §1.4.13): fetch and change an authenticated account's book, and tell
 * the account's other devices about each change (the reference forks `addressbook-updated` to the account's
 * other connections). Transport-neutral, like the messaging service: the sylkRTC adapter maps requests onto
 * it; where books are kept is the backend's business.
 */
import type { AddressBookEventPayload, MessagingEventSink } from '../events.js';
import type { Caller, ServiceResult } from '../service.js';
import type { AddressBook, AddressBookChange, AddressBookEntry } from './address-book.js';
import type { AddressBookBackend } from './address-book-backend.js';

export class AddressBooks {
  readonly #backend: AddressBookBackend;
  readonly #events: MessagingEventSink;

  constructor(backend: AddressBookBackend, events: MessagingEventSink) {
    this.#backend = backend;
    this.#events = events;
  }

  fetch(caller: Caller): Promise<ServiceResult<AddressBook>> {
    return this.#backend.fetch(caller.account);
  }

  /** On success, the event the caller's device gets; the account's other devices have it already. */
  async change(caller: Caller, change: AddressBookChange): Promise<ServiceResult<AddressBookEventPayload>> {
    const result = await this.#backend.change(caller.account, change);
    if (!result.ok) return result;
    const payload = updatedEvent(caller.account, change, result.value);
    this.#events.emit({ kind: 'addressbook-updated', account: caller.account, payload }, caller.device);
    return { ok: true, value: payload };
  }
}

/** sylk spec §1.4.13: the object under the key its type names (`contact`, `group`, `policy`). */
function updatedEvent(
  account: string,
  change: AddressBookChange,
  entry: AddressBookEntry,
): AddressBookEventPayload {
  return {
    sylkrtc: 'account-event',
    account,
    event: 'addressbook-updated',
    type: change.type,
    action: change.action,
    [change.type]: entry,
  };
}
