/**
 * Address books in missive's store: read, change, write back with the version read (compare and set), and
 * read again when another writer came in between, so concurrent changes from several devices all land. One
 * process's changes of one book run one after the other (they would only make each other retry); the
 * compare and set is for other processes and instances on the same store.
 */
import type { Logger } from 'pino';
import type { AddressBookStore } from '../../store/address-books/address-book-store.js';
import { InvalidInputError } from '../../store/errors.js';
import type { Clock } from '../../time/clock.js';
import type { ServiceResult } from '../service.js';
import type { AddressBook, AddressBookChange, AddressBookEntry } from './address-book.js';
import type { AddressBookBackend } from './address-book-backend.js';
import { applyChange } from './book-change.js';
import { readBookDocument, writeBookDocument } from './book-document.js';

/** Far more devices of one account than will ever write in the same few milliseconds. */
const MAX_ATTEMPTS = 16;
const UNAVAILABLE = { kind: 'unavailable', reason: 'Address book storage unavailable' } as const;

export class StoredAddressBooks implements AddressBookBackend {
  readonly #store: AddressBookStore;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  /** The last change queued per account; removed when the queue empties. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(store: AddressBookStore, clock: Clock, logger: Logger | undefined) {
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
  }

  async fetch(account: string): Promise<ServiceResult<AddressBook>> {
    const read = await this.#read(account);
    return read === undefined ? { ok: false, refusal: UNAVAILABLE } : { ok: true, value: read.book };
  }

  change(account: string, change: AddressBookChange): Promise<ServiceResult<AddressBookEntry>> {
    const previous = this.#queues.get(account) ?? Promise.resolve();
    const next = previous.then(() => this.#changeNow(account, change));
    this.#queues.set(account, next);
    void next.finally(() => {
      if (this.#queues.get(account) === next) this.#queues.delete(account);
    });
    return next;
  }

  async #changeNow(account: string, change: AddressBookChange): Promise<ServiceResult<AddressBookEntry>> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await this.#read(account);
      if (read === undefined) return { ok: false, refusal: UNAVAILABLE };
      const changed = applyChange(read.book, change);
      if (!changed.ok) return { ok: false, refusal: { kind: 'invalid', reason: changed.error } };
      try {
        const written = await this.#store.put(
          account,
          writeBookDocument(changed.book),
          read.version,
          this.#clock.now(),
        );
        if (written) return { ok: true, value: changed.entry };
      } catch (error) {
        this.#logger?.error({ err: error, account }, 'address book write failed');
        // InvalidInputError: the book would exceed the store's bound; nothing was written.
        return {
          ok: false,
          refusal:
            error instanceof InvalidInputError
              ? { kind: 'too-large', reason: 'the address book is full' }
              : UNAVAILABLE,
        };
      }
    }
    this.#logger?.warn({ account }, 'address book change gave up: other writers kept coming first');
    return { ok: false, refusal: UNAVAILABLE };
  }

  async #read(account: string): Promise<{ book: AddressBook; version: number } | undefined> {
    try {
      const stored = await this.#store.get(account);
      if (stored === undefined) return { book: { contacts: [], groups: [], policies: [] }, version: 0 };
      const read = readBookDocument(stored.document);
      if (!read.ok)
        this.#logger?.warn({ account, problem: read.error }, 'stored address book partly unreadable');
      return { book: read.book, version: stored.version };
    } catch (error) {
      this.#logger?.error({ err: error, account }, 'address book read failed');
      return undefined;
    }
  }
}
