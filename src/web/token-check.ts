/**
 * Whether a request may read an account's journal: its API key must be the account's live token. The store
 * compares hashes in constant time and checks the expiry after the comparison. The outcome tells a wrong
 * credential (401) from a store that cannot answer (503): a client told 401 would throw its token away.
 *
 * Failed checks are counted per source (failure-gate.ts): a source past the limit is answered 429 with
 * Retry-After before its token is looked at, so that guessing costs neither a store query nor a log line
 * each. Failures are logged in aggregate (token-failure-log.ts), never one line per request.
 */
import type { Logger } from 'pino';
import { InvalidInputError, StoreError } from '../store/errors.js';
import type { StorageAccountStore } from '../store/storage-accounts/storage-account-store.js';
import type { Clock } from '../time/clock.js';
import { apiKeyOf } from './api-key.js';
import type { FailureGate } from './failure-gate.js';
import { sourceKey } from '../auth/source-key.js';
import type { TokenFailureLog } from './token-failure-log.js';

export type TokenVerdict =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'limited'; readonly retryAfterSeconds: number };

export interface TokenCheckOptions {
  readonly accounts: StorageAccountStore;
  readonly clock: Clock;
  /** Failed checks per source. */
  readonly gate: FailureGate;
  readonly failures: TokenFailureLog;
  readonly logger?: Logger | undefined;
}

const ALLOWED: TokenVerdict = { kind: 'allowed' };
const DENIED: TokenVerdict = { kind: 'denied' };
const UNAVAILABLE: TokenVerdict = { kind: 'unavailable' };

export class TokenCheck {
  readonly #options: TokenCheckOptions;

  constructor(options: TokenCheckOptions) {
    this.#options = options;
  }

  /**
   * `peer`: the address the request came from; `account`: the path's account, undefined when the path
   * names none (a failure like a wrong token); `authorization`: the request's header. Never throws.
   */
  async check(
    peer: string,
    account: string | undefined,
    authorization: string | undefined,
  ): Promise<TokenVerdict> {
    const { gate, failures } = this.#options;
    const source = sourceKey(peer);
    const gateVerdict = gate.check(source);
    if (gateVerdict.kind === 'limited') {
      failures.refused(source);
      return gateVerdict;
    }
    const verdict = await this.#verify(account, authorization);
    if (verdict.kind === 'denied') {
      failures.failed(source, account);
      const outcome = gate.recordFailure(source);
      if (outcome.kind === 'limit-started') failures.limitStarted(source, outcome.blockSeconds);
    }
    return verdict;
  }

  async #verify(account: string | undefined, authorization: string | undefined): Promise<TokenVerdict> {
    const token = apiKeyOf(authorization);
    if (account === undefined || token === undefined) return DENIED;
    try {
      const live = await this.#options.accounts.verifyToken(account, token, this.#options.clock.now());
      return live ? ALLOWED : DENIED;
    } catch (error) {
      if (error instanceof InvalidInputError) return DENIED;
      // Logged without the token: only the account and what failed.
      this.#options.logger?.warn(
        { account, err: error instanceof StoreError ? error.message : error },
        'API token check failed',
      );
      return UNAVAILABLE;
    }
  }
}
