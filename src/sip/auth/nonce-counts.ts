/**
 * Replay protection for qop=auth (RFC 7616 §3.4): the highest nonce-count accepted per nonce. A nonce may
 * be reused with a growing nc for its whole lifetime (sipp, Kamailio's nonce_count and most phones do),
 * so a request costs no extra round trip; a repeated or lower nc is a replay.
 *
 * The map is bounded. When it is full the entry first used longest ago goes, and every nonce issued no
 * later than an evicted one is refused from then on (its history is lost, so a replay could not be told
 * from a fresh use): the client just gets a stale challenge and continues with a new nonce.
 */

interface Seen {
  readonly issuedAt: number;
  nc: number;
}

export class NonceCounts {
  readonly #seen = new Map<string, Seen>();
  /** Nonces issued at or before this time may have been evicted: they are refused. */
  #evictedUpTo = -Infinity;

  readonly #maxEntries: number;
  readonly #lifetimeMs: number;

  constructor(maxEntries: number, lifetimeMs: number) {
    this.#maxEntries = maxEntries;
    this.#lifetimeMs = lifetimeMs;
  }

  /**
   * Records `nc` for a nonce that checked valid; false when it is not higher than the last one accepted.
   * A request without qop (RFC 2069) passes nc 0, which makes its nonce single-use.
   */
  advance(nonce: string, issuedAt: number, nc: number, now: number): boolean {
    const entry = this.#seen.get(nonce);
    if (entry !== undefined) {
      if (nc <= entry.nc) return false;
      entry.nc = nc;
      return true;
    }
    if (issuedAt <= this.#evictedUpTo) return false;
    this.#forgetExpired(now);
    while (this.#seen.size >= this.#maxEntries) this.#evictOldest();
    this.#seen.set(nonce, { issuedAt, nc });
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Expired nonces are refused before they get here, so forgetting them loses nothing. */
  #forgetExpired(now: number): void {
    for (const [nonce, entry] of this.#seen) {
      if (now - entry.issuedAt <= this.#lifetimeMs) break;
      this.#seen.delete(nonce);
    }
  }

  #evictOldest(): void {
    for (const [nonce, entry] of this.#seen) {
      this.#seen.delete(nonce);
      this.#evictedUpTo = Math.max(this.#evictedUpTo, entry.issuedAt);
      return;
    }
  }
}
