/**
 * The relay's digest nonces (SIP's are in src/sip/auth/nonce.ts), in msrprelay's wire form —
 * base64(UTF-8(16 random chars + "<unix time %.3f>:<client ip>")) — so existing clients and tools see what
 * they expect, but made from the CSPRNG, bound to the issuer by an HMAC-SHA256 opaque (instead of MD5 over a
 * predictable key), single-use, and still valid for their lifetime across a key rotation (reload).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { detachedCopy } from '../../text/detached-copy.js';
import type { Clock } from '../../time/clock.js';

export type NonceProblem =
  | 'Could not decode nonce'
  | 'This challenge was not issued to you'
  | 'This nonce/opaque combination was not issued by me'
  | 'This challenge has expired'
  | 'This challenge has already been used';

export interface Challenge {
  readonly nonce: string;
  readonly opaque: string;
}

const RANDOM_CHARS = 16;

interface DecodedNonce {
  readonly plain: string;
  readonly issuedAt: number;
  readonly ip: string;
}

/** CSPRNG bytes drawn in batches: one randomBytes call per 256 challenges instead of one each. */
class RandomPool {
  #pool = Buffer.alloc(0);
  #offset = 0;

  latin1(length: number): string {
    if (this.#offset + length > this.#pool.length) {
      this.#pool = randomBytes(length * 256);
      this.#offset = 0;
    }
    const text = this.#pool.toString('latin1', this.#offset, this.#offset + length);
    this.#offset += length;
    return text;
  }
}

export class NonceIssuer {
  #keys: Buffer[] = [randomBytes(32)];
  readonly #random = new RandomPool();
  /** Nonces already used, with the time they were issued; kept in the order they were used. */
  readonly #used = new Map<string, number>();
  readonly #clock: Clock;
  #lifetimeMs: number;

  constructor(clock: Clock, lifetimeMs: number) {
    this.#clock = clock;
    this.#lifetimeMs = lifetimeMs;
  }

  setLifetime(seconds: number): void {
    this.#lifetimeMs = seconds * 1000;
  }

  /** New signing key; the previous one still verifies challenges issued before (for their lifetime). */
  rotateKey(): void {
    this.#keys = [randomBytes(32), ...this.#keys.slice(0, 1)];
  }

  issue(clientIp: string): Challenge {
    const random = this.#random.latin1(RANDOM_CHARS);
    const plain = `${random}${(this.#clock.now() / 1000).toFixed(3)}:${clientIp}`;
    const nonce = Buffer.from(plain, 'utf8').toString('base64');
    return { nonce, opaque: this.#sign(plain, this.#currentKey()) };
  }

  /** The checks of msrprelay, in its order; the caller checks the digest response first (as it did). */
  check(nonce: string, opaque: string | undefined, clientIp: string): NonceProblem | undefined {
    const decoded = decodeNonce(nonce);
    if (decoded === undefined) return 'Could not decode nonce';
    if (decoded.ip !== clientIp) return 'This challenge was not issued to you';
    if (
      opaque === undefined ||
      !this.#keys.some((key) => safeEqual(this.#sign(decoded.plain, key), opaque))
    ) {
      return 'This nonce/opaque combination was not issued by me';
    }
    const now = this.#clock.now();
    if (decoded.issuedAt + this.#lifetimeMs < now) return 'This challenge has expired';
    this.#forgetExpired(now);
    if (this.#used.has(nonce)) return 'This challenge has already been used';
    return undefined;
  }

  /**
   * Marks a nonce as spent so that a replay (on any connection) cannot create a second session. Returns
   * the copy it keeps, which the session takes as its id: one copy of the text per session, not two.
   */
  consume(nonce: string): string {
    // A copy: the nonce may be a slice of the AUTH message, which would stay alive as long as the entry.
    const kept = detachedCopy(nonce);
    const decoded = decodeNonce(kept);
    if (decoded !== undefined) this.#used.set(kept, decoded.issuedAt);
    return kept;
  }

  /** Forgets spent nonces that have expired anyway, judged by the lifetime in force now (it can change). */
  #forgetExpired(now: number): void {
    for (const [nonce, issuedAt] of this.#used) {
      if (issuedAt + this.#lifetimeMs >= now) break;
      this.#used.delete(nonce);
    }
  }

  #currentKey(): Buffer {
    const key = this.#keys[0];
    if (key === undefined) throw new Error('nonce issuer has no key');
    return key;
  }

  #sign(plain: string, key: Buffer): string {
    return createHmac('sha256', key).update(plain, 'utf8').digest('hex').slice(0, 32);
  }
}

function decodeNonce(nonce: string): DecodedNonce | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(nonce)) return undefined;
  const plain = Buffer.from(nonce, 'base64').toString('utf8');
  // Skip the random part: 16 characters (code points, as msrprelay counted them); something must follow.
  let at = 0;
  for (let n = 0; n < RANDOM_CHARS; n++) {
    if (at >= plain.length) return undefined;
    at += (plain.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
  }
  if (at >= plain.length) return undefined;
  const tail = plain.slice(at);
  const colon = tail.indexOf(':');
  if (colon === -1) return undefined;
  const issuedAt = Number(tail.slice(0, colon)) * 1000;
  if (!Number.isFinite(issuedAt)) return undefined;
  return { plain, issuedAt, ip: tail.slice(colon + 1) };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
