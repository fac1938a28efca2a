/**
 * Whether a request may read an account's journal: its API key must be the account's live token. The store
 * compares hashes in constant time and checks the expiry after the comparison. The outcome tells a wrong
 * credential (401) from a store that cannot answer (503): a client told 401 would throw its token away.
 */
import type { Logger } from 'pino';
import { InvalidInputError, StoreError } from '../store/errors.js';
import type { StorageAccountStore } from '../store/storage-accounts/storage-account-store.js';
import type { Clock } from '../time/clock.js';
import { apiKeyOf } from './api-key.js';

export type TokenVerdict = 'allowed' | 'denied' | 'unavailable';

export class TokenCheck {
  readonly #accounts: StorageAccountStore;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;

  constructor(accounts: StorageAccountStore, clock: Clock, logger?: Logger) {
    this.#accounts = accounts;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** `authorization`: the request's Authorization header, if any. Never throws. */
  async check(account: string, authorization: string | undefined): Promise<TokenVerdict> {
    const token = apiKeyOf(authorization);
    if (token === undefined) return 'denied';
    try {
      return (await this.#accounts.verifyToken(account, token, this.#clock.now())) ? 'allowed' : 'denied';
    } catch (error) {
      if (error instanceof InvalidInputError) return 'denied';
      // Logged without the token: only the account and what failed.
      this.#logger?.warn(
        { account, err: error instanceof StoreError ? error.message : String(error) },
        'API token check failed',
      );
      return 'unavailable';
    }
  }
}
