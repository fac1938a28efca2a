/** Where books are kept: missive's store (stored-address-books.ts) or an XCAP server (xcap-address-books.ts). */
import type { ServiceResult } from '../service.js';
import type { AddressBook, AddressBookChange, AddressBookEntry } from './address-book.js';

export interface AddressBookBackend {
  fetch(account: string): Promise<ServiceResult<AddressBook>>;
  /**
   * Applies one change. A change the book refuses (an unknown id, a malformed object) is `invalid` with the
   * text the client gets in `addressbook-update-failed`. The value: the entry as now kept (for a delete, the
   * entry removed, or only its id when there was none).
   */
  change(account: string, change: AddressBookChange): Promise<ServiceResult<AddressBookEntry>>;
}
