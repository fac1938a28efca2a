/**
 * An account's address book as Sylk clients keep it (sylk spec §1.4.13): contacts, groups and policies, each
 * an object with an `id` that the client chose. missive keeps each object as the client sent it (the
 * reference's model empties nested `attributes`, a quirk not kept) after checking the little it relies on.
 */

export const ADDRESS_BOOK_TYPES = ['contact', 'group', 'policy'] as const;
export type AddressBookType = (typeof ADDRESS_BOOK_TYPES)[number];

export const ADDRESS_BOOK_ACTIONS = ['add', 'update', 'delete'] as const;
export type AddressBookAction = (typeof ADDRESS_BOOK_ACTIONS)[number];

/** One contact, group or policy: a JSON object with a string `id`. */
export type AddressBookEntry = Readonly<Record<string, unknown>> & { readonly id: string };

export interface AddressBook {
  readonly contacts: readonly AddressBookEntry[];
  readonly groups: readonly AddressBookEntry[];
  readonly policies: readonly AddressBookEntry[];
}

export interface AddressBookChange {
  readonly type: AddressBookType;
  readonly action: AddressBookAction;
  /** The object as the client sent it (`data`); checked by entryOf before anything is written. */
  readonly data: Readonly<Record<string, unknown>>;
}

export const EMPTY_ADDRESS_BOOK: AddressBook = { contacts: [], groups: [], policies: [] };

/** The list of `book` a type lives in. */
export function listKey(type: AddressBookType): keyof AddressBook {
  switch (type) {
    case 'contact':
      return 'contacts';
    case 'group':
      return 'groups';
    case 'policy':
      return 'policies';
  }
}
