/**
 * One address book per account (sylk spec §1.4.13), kept as the JSON document the messaging layer builds
 * and checks; the store bounds its size and keeps a version so that two devices updating at once never lose
 * each other's change (compare and set: the loser reads again and retries).
 */
export interface StoredAddressBook {
  readonly account: string;
  readonly document: string;
  /** 1 for the first write, one more for each after it. */
  readonly version: number;
  /** UTC milliseconds, the caller's clock at the last write. */
  readonly updatedAt: number;
}

export interface AddressBookStore {
  get(account: string): Promise<StoredAddressBook | undefined>;
  /**
   * Stores `document` as version `expectedVersion + 1` when the stored version is `expectedVersion` (0: the
   * account has none yet). false when another writer came first and nothing was written.
   */
  put(account: string, document: string, expectedVersion: number, now: number): Promise<boolean>;
  /** false when the account had none. */
  remove(account: string): Promise<boolean>;
}

/** A book of thousands of contacts with several URIs each stays well under this. */
export const MAX_ADDRESS_BOOK_DOCUMENT = 1024 * 1024;
