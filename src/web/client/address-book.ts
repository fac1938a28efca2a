/**
 * The names of the account's address book (sylk spec §1.4.13: `addressbook-fetched`), by address, for the
 * conversation list and title. Only what a name needs is read; the book's shape is checked as it is read,
 * and a book larger than the server's own limit (5,000 entries, docs/sylkrtc-api.md) is read up to it.
 */
const MAX_CONTACTS = 5000;

export function namesFrom(addressbook: unknown): Map<string, string> {
  const names = new Map<string, string>();
  const contacts = isRecord(addressbook) ? addressbook.contacts : undefined;
  if (!Array.isArray(contacts)) return names;
  for (const contact of contacts.slice(0, MAX_CONTACTS)) {
    if (!isRecord(contact) || typeof contact.name !== 'string' || contact.name.trim() === '') continue;
    const uris = Array.isArray(contact.uris) ? contact.uris : [];
    for (const entry of uris) {
      const uri = isRecord(entry) && typeof entry.uri === 'string' ? entry.uri.replace(/^sips?:/, '') : '';
      if (uri !== '' && !names.has(uri)) names.set(uri, contact.name.trim());
    }
  }
  return names;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
