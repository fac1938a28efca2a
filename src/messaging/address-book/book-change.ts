/**
 * One change applied to a book, as the reference's file mode does it (sylk spec §1.4.13): `add` appends, or
 * replaces the entry with the same id; `update` replaces an entry that exists; `delete` removes by id. Where
 * the reference silently does nothing (an update of an unknown id), missive says so. Pure; nothing throws.
 */
import { type AddressBook, type AddressBookChange, type AddressBookEntry, listKey } from './address-book.js';
import { checkEntry, MAX_ENTRIES_PER_LIST } from './entry-check.js';

export type ChangeResult =
  | { readonly ok: true; readonly book: AddressBook; readonly entry: AddressBookEntry }
  | { readonly ok: false; readonly error: string };

export function applyChange(book: AddressBook, change: AddressBookChange): ChangeResult {
  const checked = checkEntry(change.type, change.data, change.action !== 'delete');
  if (!checked.ok) return checked;
  const { entry } = checked;
  const key = listKey(change.type);
  const list = book[key];
  const at = list.findIndex((existing) => existing.id === entry.id);
  let next: AddressBookEntry[];
  switch (change.action) {
    case 'add':
      if (at < 0 && list.length >= MAX_ENTRIES_PER_LIST) {
        return { ok: false, error: `the address book holds ${MAX_ENTRIES_PER_LIST} ${key} at most` };
      }
      next = at < 0 ? [...list, entry] : list.map((existing, i) => (i === at ? entry : existing));
      break;
    case 'update':
      if (at < 0) return { ok: false, error: `no ${change.type} with id ${entry.id}` };
      next = list.map((existing, i) => (i === at ? entry : existing));
      break;
    case 'delete':
      // Deleting what is not there leaves the book as it is: a second device may have deleted it first.
      next = list.filter((existing) => existing.id !== entry.id);
      break;
  }
  const removed = change.action === 'delete' ? list[at] : undefined;
  return { ok: true, book: { ...book, [key]: next }, entry: removed ?? entry };
}
