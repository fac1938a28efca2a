/**
 * What add() and setPassword() write, computed once for every backend: checked names, the hashes, and the
 * password column.
 *
 * The password column is NULL unless the caller asks for cleartext. Readers that hash the password
 * themselves (msrprelay with `cleartext_passwords = yes`, its default; Kamailio with `calculate_ha1 = yes`)
 * would take an empty string for a real password, so that a client sending an empty password would
 * authenticate as anyone. NULL makes them treat the user as unknown instead: a misconfigured reader fails
 * closed. And a database that leaks holds no reusable passwords.
 */
import type { PasswordOptions, Subscriber } from './subscriber-store.js';
import { type SubscriberHashes, subscriberHashes } from './hashes.js';
import { checkPassword, normalizeDomain, normalizeUsername } from './names.js';

export interface SubscriberWrite {
  readonly username: string;
  readonly domain: string;
  readonly password: string | null;
  readonly hashes: SubscriberHashes;
}

/** Throws InvalidInputError. */
export function subscriberWrite(
  username: string,
  domain: string,
  password: string,
  options: PasswordOptions = {},
): SubscriberWrite {
  const cleartext = options.storeCleartext === true;
  const user = normalizeUsername(username);
  const host = normalizeDomain(domain);
  checkPassword(password, cleartext);
  return {
    username: user,
    domain: host,
    password: cleartext ? password : null,
    hashes: subscriberHashes(user, host, password),
  };
}

export function writtenSubscriber(write: SubscriberWrite): Subscriber {
  return {
    username: write.username,
    domain: write.domain,
    ...write.hashes,
    hasCleartextPassword: write.password !== null,
  };
}
