/**
 * The APNs provider authentication token: an ES256 JWT (header `alg`, `kid`; claims `iss` = Team ID, `iat`).
 * Apple refuses a token older than an hour (ExpiredProviderToken) and one renewed more often than every 20
 * minutes (TooManyProviderTokenUpdates), so one token is kept and renewed once it is 50 minutes old.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../time/clock.js';
import { signJwt } from '../jwt.js';

export const PROVIDER_TOKEN_RENEW_AFTER_MS = 50 * 60 * 1000;

export class ApnsProviderToken {
  readonly #key: KeyObject;
  readonly #keyId: string;
  readonly #teamId: string;
  readonly #clock: Clock;
  #current: { readonly jwt: string; readonly issuedAtMs: number } | undefined;

  constructor(key: KeyObject, keyId: string, teamId: string, clock: Clock) {
    this.#key = key;
    this.#keyId = keyId;
    this.#teamId = teamId;
    this.#clock = clock;
  }

  /** The token to send now: the kept one while it is younger than 50 minutes, else a fresh one. */
  current(): string {
    const now = this.#clock.now();
    if (this.#current === undefined || now - this.#current.issuedAtMs >= PROVIDER_TOKEN_RENEW_AFTER_MS) {
      const jwt = signJwt(
        { alg: 'ES256', kid: this.#keyId },
        { iss: this.#teamId, iat: Math.floor(now / 1000) },
        this.#key,
      );
      this.#current = { jwt, issuedAtMs: now };
    }
    return this.#current.jwt;
  }

  /**
   * After APNs said ExpiredProviderToken or InvalidProviderToken: the next send signs a new token. Only the
   * token that was refused is dropped, so many streams refused together cause one renewal, not one each.
   */
  renewAfterRefusal(refused: string): void {
    if (this.#current?.jwt === refused) this.#current = undefined;
  }
}
