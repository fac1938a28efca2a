/**
 * Checks and normalises subscriber names before they reach a table, so that every backend stores the same
 * thing and the Kamailio-style columns (VARCHAR(64)) never truncate. The domain is lower-cased: it is a host
 * name and compares without case, and it is also the digest realm hashed into HA1, so one spelling must win.
 * The username keeps its case (the SIP user part is case-sensitive).
 */
import { InvalidInputError } from '../errors.js';

/** Kamailio's and OpenSIPS's `subscriber.username`/`domain` are VARCHAR(64). */
export const MAX_NAME_LENGTH = 64;
/** The `password` column is VARCHAR(64), which bounds a password stored in clear. */
export const MAX_CLEARTEXT_PASSWORD_LENGTH = 64;
export const MAX_PASSWORD_LENGTH = 128;

// Whitespace and control characters (C0, DEL, C1, and Unicode separators) in a name are typing or
// pasting accidents; the delimiters would make `user@domain`, the hash input `user:realm:password` or a
// quoted digest `username="…"` ambiguous.
const FORBIDDEN_IN_USERNAME = /[\s\p{Cc}\p{Z}@:"\\<>]/u;
const CONTROL = /\p{Cc}/u;
const HOST_LABEL = '[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?';
const HOST_NAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;

export function normalizeUsername(username: string): string {
  if (username === '') throw new InvalidInputError('username', 'is empty');
  if (username.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError('username', `is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (FORBIDDEN_IN_USERNAME.test(username)) {
    throw new InvalidInputError(
      'username',
      'contains whitespace, a control character or one of @ : " \\ < >',
    );
  }
  return username;
}

export function normalizeDomain(domain: string): string {
  const lower = domain.toLowerCase();
  if (lower === '') throw new InvalidInputError('domain', 'is empty');
  if (lower.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError('domain', `is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (!HOST_NAME.test(lower) && !IPV6_LITERAL.test(lower)) {
    throw new InvalidInputError('domain', 'is not a host name or IP address');
  }
  return lower;
}

export function checkPassword(password: string, cleartext: boolean): void {
  if (password === '') throw new InvalidInputError('password', 'is empty');
  const max = cleartext ? MAX_CLEARTEXT_PASSWORD_LENGTH : MAX_PASSWORD_LENGTH;
  if (password.length > max) {
    const why = cleartext ? ' to be stored in clear' : '';
    throw new InvalidInputError('password', `is longer than ${max} characters${why}`);
  }
  // A control character is almost always a stray CR or NUL from a file or pipe, not a choice.
  if (CONTROL.test(password)) throw new InvalidInputError('password', 'contains a control character');
}

export interface Account {
  readonly username: string;
  readonly domain: string;
}

/**
 * `alice@example.com` or `sip:alice@example.com` (also `sips:`) as a checked username and lower-cased domain.
 * Throws InvalidInputError.
 */
export function parseAccount(text: string): Account {
  const bare = text.replace(/^sips?:/i, '');
  const at = bare.indexOf('@');
  if (at === -1) throw new InvalidInputError('account', `${JSON.stringify(text)} is not user@domain`);
  return { username: normalizeUsername(bare.slice(0, at)), domain: normalizeDomain(bare.slice(at + 1)) };
}
