/**
 * Stateless, self-validating digest nonces for SIP: base64url(issue time ‖ 12 random bytes ‖ HMAC). The
 * HMAC-SHA256 (cut to 128 bits) covers the time, the random bytes and the realm, so the server keeps no
 * per-challenge state, a nonce cannot be forged or moved to another realm, and its age is known when it
 * comes back. Replays within the lifetime are caught by NonceCounts.
 *
 * Nonce counts live in memory, so after a restart a nonce of the previous process could be replayed with
 * any nc. The previous process's keys are therefore only recognised ('previous'), never accepted: the
 * client gets `stale=true` (RFC 7616 §3.3) and carries on with a new nonce instead of asking its user for
 * the password again. Each process signs with a key of its own (nonce-key-file.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TIME_BYTES = 8;
const RANDOM_BYTES = 12;
const MAC_BYTES = 16;
const PAYLOAD_BYTES = TIME_BYTES + RANDOM_BYTES;
const NONCE_BYTES = PAYLOAD_BYTES + MAC_BYTES;
/** 36 bytes are exactly 48 base64url characters: no padding, no spare bits, so one nonce has one spelling. */
const NONCE_TEXT = /^[A-Za-z0-9_-]{48}$/;

export type NonceCheck =
  | { readonly kind: 'valid'; readonly issuedAt: number }
  /** Authentic but older than the lifetime: worth a `stale=true` challenge when the digest is right. */
  | { readonly kind: 'expired'; readonly issuedAt: number }
  /** Authentic, issued by the previous process: worth a `stale=true` challenge, never a success. */
  | { readonly kind: 'previous' }
  /** Not one of ours (another key, another realm, garbled). */
  | { readonly kind: 'invalid' };

export class DigestNonces {
  readonly #key: Buffer;
  readonly #previousKeys: readonly Buffer[];
  readonly #lifetimeMs: number;

  constructor(key: Buffer, lifetimeMs: number, previousKeys: readonly Buffer[] = []) {
    for (const each of [key, ...previousKeys]) {
      if (each.length < 16) throw new RangeError('a nonce key needs at least 16 bytes');
    }
    this.#key = Buffer.from(key);
    this.#previousKeys = previousKeys.map((each) => Buffer.from(each));
    this.#lifetimeMs = lifetimeMs;
  }

  /** A key for one process; instances that share a domain behind a dispatcher must share one instead. */
  static randomKey(): Buffer {
    return randomBytes(32);
  }

  issue(realm: string, now: number): string {
    const nonce = Buffer.allocUnsafe(NONCE_BYTES);
    nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(now))), 0);
    randomBytes(RANDOM_BYTES).copy(nonce, TIME_BYTES);
    this.#mac(this.#key, nonce.subarray(0, PAYLOAD_BYTES), realm).copy(nonce, PAYLOAD_BYTES);
    return nonce.toString('base64url');
  }

  check(nonce: string, realm: string, now: number): NonceCheck {
    if (!NONCE_TEXT.test(nonce)) return { kind: 'invalid' };
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== NONCE_BYTES) return { kind: 'invalid' };
    const payload = bytes.subarray(0, PAYLOAD_BYTES);
    const mac = bytes.subarray(PAYLOAD_BYTES);
    if (!timingSafeEqual(this.#mac(this.#key, payload, realm), mac)) {
      const previous = this.#previousKeys.some((key) => timingSafeEqual(this.#mac(key, payload, realm), mac));
      return previous ? { kind: 'previous' } : { kind: 'invalid' };
    }
    const issuedAt = Number(bytes.readBigUInt64BE(0));
    return now - issuedAt > this.#lifetimeMs ? { kind: 'expired', issuedAt } : { kind: 'valid', issuedAt };
  }

  #mac(key: Buffer, payload: Buffer, realm: string): Buffer {
    return createHmac('sha256', key).update(payload).update(realm, 'utf8').digest().subarray(0, MAC_BYTES);
  }
}
