/**
 * API tokens: 32 random bytes as URL-safe base64 without padding (43 characters, like the reference's
 * `secrets.token_urlsafe()`), stored as their SHA-256 so that a copy of the database grants nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { checkInteger, checkName, checkTime } from '../checks.js';
import { InvalidInputError } from '../errors.js';

const MIN_TOKEN = 16;
/** Ten years: a longer lifetime is a mistake in the caller's units. */
export const MAX_TOKEN_LIFETIME_MS = 10 * 366 * 24 * 3600 * 1000;
const MAX_TOKEN = 512;

export function generateApiToken(): string {
  return randomBytes(32).toString('base64url');
}

export function checkApiToken(token: unknown): asserts token is string {
  checkName('token', token, { max: MAX_TOKEN });
  if ((token as string).length < MIN_TOKEN) {
    throw new InvalidInputError('token', `is shorter than ${MIN_TOKEN} characters`);
  }
}

/** Hex SHA-256 of the token's UTF-8 bytes. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex hashes in time independent of where they differ. */
export function sameTokenHash(stored: string, computed: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(computed, 'hex');
  return a.length === 32 && a.length === b.length && timingSafeEqual(a, b);
}

/** StorageAccountStore.setToken's inputs, checked the same way by every backend. */
export function checkTokenWrite(
  account: string,
  token: unknown,
  now: number,
  lifetimeMs: number,
): asserts token is string {
  checkName('account', account);
  checkApiToken(token);
  checkTime('now', now);
  checkInteger('lifetimeMs', lifetimeMs, 1, MAX_TOKEN_LIFETIME_MS);
}
