/**
 * Identifiers this element generates, from the CSPRNG: Via branches with the RFC 3261 magic cookie
 * (§8.1.1.7), tags (§19.3, at least 32 bits of randomness) and Call-IDs (§8.1.1.4). All are tokens.
 */
import { randomBytes } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../headers/via.js';

/** z9hG4bK followed by 128 random bits. */
export function generateBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(16).toString('base64url');
}

/** 96 random bits. */
export function generateTag(): string {
  return randomBytes(12).toString('base64url');
}

/** 128 random bits, optionally `@host` (the host must be a word, e.g. a hostname or IPv4 address). */
export function generateCallId(host?: string): string {
  const id = randomBytes(16).toString('base64url');
  return host === undefined ? id : `${id}@${host}`;
}
