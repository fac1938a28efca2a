/**
 * What missive checks of a client's address-book object before it keeps it: a bounded `id`, the fields the
 * sylkrtc.js address book reads having the types it expects (sylk spec §1.4.13, "Object shapes"), and a
 * bounded size. Results as a union; nothing throws.
 */
import type { AddressBookEntry, AddressBookType } from './address-book.js';

export const MAX_ENTRY_ID_CHARS = 256;
/** One contact with many URIs and attributes stays far below this. */
export const MAX_ENTRY_JSON_CHARS = 64 * 1024;
/** Per list (contacts, groups, policies) of one book. */
export const MAX_ENTRIES_PER_LIST = 5000;

export type EntryCheck =
  | { readonly ok: true; readonly entry: AddressBookEntry }
  | { readonly ok: false; readonly error: string };

/** `id` alone is needed to delete; adding or updating needs the whole object. */
export function checkEntry(
  type: AddressBookType,
  data: Readonly<Record<string, unknown>>,
  whole: boolean,
): EntryCheck {
  const id = data.id;
  if (typeof id !== 'string' || id === '') return failed(`the ${type} has no id`);
  if (id.length > MAX_ENTRY_ID_CHARS) return failed(`the ${type} id is longer than ${MAX_ENTRY_ID_CHARS}`);
  if (!whole) return { ok: true, entry: { id } };
  const json = JSON.stringify(data);
  if (json.length > MAX_ENTRY_JSON_CHARS) {
    return failed(`the ${type} is larger than ${MAX_ENTRY_JSON_CHARS} characters`);
  }
  const shape = type === 'policy' ? checkPolicy(data) : checkNamed(type, data);
  if (shape !== undefined) return failed(shape);
  // A copy with `default_uri` (an alias the reference accepts) under its real name.
  const entry: Record<string, unknown> = { ...data };
  if (type === 'contact' && entry.defaultUri === undefined && entry.default_uri !== undefined) {
    entry.defaultUri = entry.default_uri;
    delete entry.default_uri;
  }
  return { ok: true, entry: entry as AddressBookEntry };
}

function checkNamed(type: AddressBookType, data: Readonly<Record<string, unknown>>): string | undefined {
  if (data.name !== undefined && typeof data.name !== 'string') return `the ${type} name is not a string`;
  if (type === 'contact') return checkUris(data.uris);
  const contacts = data.contacts;
  if (contacts === undefined) return undefined;
  if (!Array.isArray(contacts)) return 'the group contacts are not a list';
  for (const contact of contacts) {
    if (!isObject(contact) || typeof contact.id !== 'string') return 'a group contact has no id';
  }
  return undefined;
}

function checkUris(uris: unknown): string | undefined {
  if (uris === undefined) return undefined;
  if (!Array.isArray(uris)) return 'the contact uris are not a list';
  for (const uri of uris) {
    if (!isObject(uri) || typeof uri.uri !== 'string') return 'a contact uri has no uri';
  }
  return undefined;
}

function checkPolicy(data: Readonly<Record<string, unknown>>): string | undefined {
  if (data.uri !== undefined && typeof data.uri !== 'string') return 'the policy uri is not a string';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failed(error: string): EntryCheck {
  return { ok: false, error };
}
