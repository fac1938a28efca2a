/** The argument checks every AddressBookStore makes before it writes (one copy for SQL and Cassandra). */
import { checkName, checkText, checkTime } from '../checks.js';
import { InvalidInputError } from '../errors.js';
import { MAX_ADDRESS_BOOK_DOCUMENT } from './address-book-store.js';

export function checkAddressBookWrite(
  account: string,
  document: string,
  expectedVersion: number,
  now: number,
): void {
  checkName('account', account);
  checkText('document', document, MAX_ADDRESS_BOOK_DOCUMENT);
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new InvalidInputError('expectedVersion', 'is not a version (0 or more)');
  }
  checkTime('now', now);
}
