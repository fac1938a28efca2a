/**
 * Identifiers this element generates, from the CSPRNG: Via branches with the RFC 3261 magic cookie
 * (§8.1.1.7), tags (§19.3, at least 32 bits of randomness) and Call-IDs (§8.1.1.4). All are tokens.
 */
import { randomFillSync } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../headers/via.js';

/**
 * CSPRNG output drawn in blocks: one randomFillSync per 256 identifiers instead of one per identifier (a proxy
 * makes a branch for every request it forwards). Each byte is used once.
 */
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function randomText(bytes: number): string {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const text = POOL.toString('base64url', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return text;
}

/** z9hG4bK followed by 128 random bits. */
export function generateBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomText(16);
}

/** 96 random bits. */
export function generateTag(): string {
  return randomText(12);
}

/** 128 random bits, optionally `@host` (the host must be a word, e.g. a hostname or IPv4 address). */
export function generateCallId(host?: string): string {
  const id = randomText(16);
  return host === undefined ? id : `${id}@${host}`;
}
