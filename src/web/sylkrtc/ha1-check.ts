/**
 * `account-register` without Janus (sylk spec §1.7.1, "a re-implementation without Janus MUST still
 * authenticate the account"): the HA1 the client gave in account-add (MD5 of `user:realm:password`, realm =
 * the AOR's domain as sylkrtc.js computes it) is compared, in constant time, with the subscriber's in the
 * credential store, the one SIP digest and MSRP AUTH check. Every attempt goes through the process's shared
 * failed-login limiter (auth/login-limiter.ts): a guess here costs what it costs over SIP or MSRP. An
 * unknown account and a wrong HA1 give the same outcome, so accounts cannot be enumerated.
 *
 * Behind a proxy missive is not the registrar: the HA1 is checked by registering upstream with it
 * (`upstream`, sylk spec §1.7.1 option (a)), and the proxy's answer is the outcome: a 2xx is the right HA1,
 * 401, 403 or 407 a wrong one (a failed login), anything else (a timeout, a 5xx) says nothing about it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { LoginGate } from '../../auth/login-limiter.js';
import type { CredentialStore, StoredCredential } from '../../credentials/store.js';
import { ha1For } from '../../sip/auth/credentials.js';

export type Ha1Outcome =
  | { readonly kind: 'ok' }
  /** Wrong HA1 or no such account; `reason`: the upstream registrar's answer (`401 Unauthorized`). */
  | { readonly kind: 'wrong'; readonly reason?: string }
  /** The upstream registrar could not be asked or did not decide (`408 Request Timeout`). */
  | { readonly kind: 'unavailable'; readonly reason: string }
  /** The source, or the source for this account, is blocked for failed logins. */
  | { readonly kind: 'blocked'; readonly retryAfterSeconds: number }
  | { readonly kind: 'store-failed' };

/** Registers an account upstream with an HA1 (messaging/upstream-registration.ts): the final answer. */
export interface UpstreamRegistrar {
  register(account: string, ha1: string): Promise<{ readonly status: number; readonly reason: string }>;
}

/** Answers of a registrar that mean the credentials were refused (RFC 3261 §21.4.2, §21.4.4, §21.4.8). */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([401, 403, 407]);

/** An MD5 HA1: 32 hex digits. */
const HA1_PATTERN = /^[0-9a-fA-F]{32}$/;

export class Ha1Check {
  readonly #credentials: CredentialStore;
  readonly #gate: LoginGate;
  readonly #logger: Logger | undefined;
  readonly #upstream: UpstreamRegistrar | undefined;

  constructor(credentials: CredentialStore, gate: LoginGate, logger?: Logger, upstream?: UpstreamRegistrar) {
    this.#credentials = credentials;
    this.#gate = gate;
    this.#logger = logger;
    this.#upstream = upstream;
  }

  async verify(source: string, account: string, ha1: string): Promise<Ha1Outcome> {
    const check = this.#gate.check(source, account);
    if (!check.allowed) return { kind: 'blocked', retryAfterSeconds: check.retryAfterSeconds };
    if (this.#upstream !== undefined) return this.#verifyUpstream(this.#upstream, source, account, ha1);
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

  async #verifyUpstream(
    upstream: UpstreamRegistrar,
    source: string,
    account: string,
    ha1: string,
  ): Promise<Ha1Outcome> {
    // Not even sent when it cannot be an HA1: no REGISTER for the proxy to refuse.
    if (!HA1_PATTERN.test(ha1)) {
      this.#gate.recordFailure(source, account, false);
      return { kind: 'wrong' };
    }
    let answer: { readonly status: number; readonly reason: string };
    try {
      answer = await upstream.register(account, ha1);
    } catch (error) {
      this.#logger?.error({ err: error, account }, 'upstream registration failed');
      return { kind: 'unavailable', reason: '503 Service Unavailable' };
    }
    const reason = `${String(answer.status)} ${answer.reason}`;
    if (answer.status >= 200 && answer.status < 300) {
      this.#gate.recordSuccess(source, account);
      return { kind: 'ok' };
    }
    if (REFUSED_STATUSES.has(answer.status)) {
      // Whether the account exists only the proxy knows; counted as a guess at an existing one.
      this.#gate.recordFailure(source, account, true);
      return { kind: 'wrong', reason };
    }
    return { kind: 'unavailable', reason };
  }
}

function sameHa1(given: string, expected: string): boolean {
  if (!HA1_PATTERN.test(given) || !HA1_PATTERN.test(expected)) return false;
  return timingSafeEqual(
    Buffer.from(given.toLowerCase(), 'latin1'),
    Buffer.from(expected.toLowerCase(), 'latin1'),
  );
}
