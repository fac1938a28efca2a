/**
 * The stored form of a book: its JSON text, read back tolerantly (a list that is missing or not a list of
 * objects with ids reads as empty, and the caller is told, so one bad write cannot make a book unreadable).
 */
import { type AddressBook, type AddressBookEntry, EMPTY_ADDRESS_BOOK } from './address-book.js';

export type DocumentRead =
  | { readonly ok: true; readonly book: AddressBook }
  | { readonly ok: false; readonly error: string; readonly book: AddressBook };

export function readBookDocument(document: string): DocumentRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return { ok: false, error: 'the stored address book is not JSON', book: EMPTY_ADDRESS_BOOK };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'the stored address book is not an object', book: EMPTY_ADDRESS_BOOK };
  }
  const record = parsed as Record<string, unknown>;
  const contacts = entries(record.contacts);
  const groups = entries(record.groups);
  const policies = entries(record.policies);
  const book = { contacts: contacts ?? [], groups: groups ?? [], policies: policies ?? [] };
  if (contacts === undefined || groups === undefined || policies === undefined) {
    return { ok: false, error: 'a list of the stored address book is unreadable', book };
  }
  return { ok: true, book };
}

export function writeBookDocument(book: AddressBook): string {
  return JSON.stringify({ contacts: book.contacts, groups: book.groups, policies: book.policies });
}

function entries(value: unknown): AddressBookEntry[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const out: AddressBookEntry[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null || typeof (item as { id?: unknown }).id !== 'string') {
      return undefined;
    }
    out.push(item as AddressBookEntry);
  }
  return out;
}
