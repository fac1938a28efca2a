/**
 * `account-register` without Janus (sylk spec §1.7.1, "a re-implementation without Janus MUST still
 * authenticate the account"): the HA1 the client gave in account-add (MD5 of `user:realm:password`, realm =
 * the AOR's domain as sylkrtc.js computes it) is compared, in constant time, with the subscriber's in the
 * credential store, the one SIP digest and MSRP AUTH check. Every attempt goes through the process's shared
 * failed-login limiter (auth/login-limiter.ts): a guess here costs what it costs over SIP or MSRP. An
 * unknown account and a wrong HA1 give the same outcome, so accounts cannot be enumerated.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { LoginGate } from '../../auth/login-limiter.js';
import type { CredentialStore, StoredCredential } from '../../credentials/store.js';
import { ha1For } from '../../sip/auth/credentials.js';

export type Ha1Outcome =
  | { readonly kind: 'ok' }
  /** Wrong HA1 or no such account. */
  | { readonly kind: 'wrong' }
  /** The source, or the source for this account, is blocked for failed logins. */
  | { readonly kind: 'blocked'; readonly retryAfterSeconds: number }
  | { readonly kind: 'store-failed' };

/** An MD5 HA1: 32 hex digits. */
const HA1_PATTERN = /^[0-9a-fA-F]{32}$/;

export class Ha1Check {
  readonly #credentials: CredentialStore;
  readonly #gate: LoginGate;
  readonly #logger: Logger | undefined;

  constructor(credentials: CredentialStore, gate: LoginGate, logger?: Logger) {
    this.#credentials = credentials;
    this.#gate = gate;
    this.#logger = logger;
  }

  async verify(source: string, account: string, ha1: string): Promise<Ha1Outcome> {
    const check = this.#gate.check(source, account);
    if (!check.allowed) return { kind: 'blocked', retryAfterSeconds: check.retryAfterSeconds };
    const at = account.lastIndexOf('@');
    const user = at === -1 ? account : account.slice(0, at);
    const domain = at === -1 ? '' : account.slice(at + 1);
    let stored: StoredCredential | undefined;
    if (user !== '' && domain !== '') {
      try {
        stored = await this.#credentials.lookup(user, domain);
      } catch (error) {
        this.#logger?.error({ err: error, account }, 'credential lookup failed');
        return { kind: 'store-failed' };
      }
    }
    const expected = stored === undefined ? undefined : ha1For(stored, 'MD5', user, domain);
    if (expected === undefined || !sameHa1(ha1, expected)) {
      this.#gate.recordFailure(source, account, stored !== undefined);
      return { kind: 'wrong' };
    }
    this.#gate.recordSuccess(source, account);
    return { kind: 'ok' };
  }
}

function sameHa1(given: string, expected: string): boolean {
  if (!HA1_PATTERN.test(given) || !HA1_PATTERN.test(expected)) return false;
  return timingSafeEqual(
    Buffer.from(given.toLowerCase(), 'latin1'),
    Buffer.from(expected.toLowerCase(), 'latin1'),
  );
}
