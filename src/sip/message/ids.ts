/**
 * Identifiers this element generates, from the CSPRNG: Via branches with the RFC 3261 magic cookie
 * (RFC 3261 §8.1.1.7), tags (RFC 3261 §19.3, at least 32 bits of randomness) and Call-IDs
 * (RFC 3261 §8.1.1.4). All are tokens.
 *
 * Stateless: each is a random (version 4) UUID, 122 random bits in hexadecimal and '-'. Node draws those
 * from a block of CSPRNG output it keeps for 128 UUIDs, so a proxy that makes a branch for every request it
 * forwards does not pay a randomFillSync per identifier, and this module keeps no state of its own.
 */
import { randomUUID } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../headers/via.js';

/** z9hG4bK followed by 122 random bits. */
export function generateBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomUUID();
}

/** 122 random bits. */
export function generateTag(): string {
  return randomUUID();
}

/** 122 random bits, optionally `@host` (the host must be a word, e.g. a hostname or IPv4 address). */
export function generateCallId(host?: string): string {
  const id = randomUUID();
  return host === undefined ? id : `${id}@${host}`;
}
