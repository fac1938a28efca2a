/**
 * Which accounts have message storage (sylk spec §3.8): an account with a storage account (the reference's rule:
 * a registration or an api-token request created it), and every subscriber of a served domain in missive's
 * store, its storage account created on first use. Standalone, missive is the registrar and every user is a
 * subscriber; behind a proxy, Kamailio authenticates from the same subscriber table (deploy/kamailio), so its
 * users have storage too, while a proxy with a user database of its own leaves only the reference's rule.
 * An account with neither is skipped silently (sylk spec §2.3 steps 6–7).
 */
import type { CredentialStore } from '../credentials/store.js';
import type { StorageAccountStore } from '../store/storage-accounts/storage-account-store.js';
import type { Clock } from '../time/clock.js';

/** The domains missive serves (routing's LocalAddresses is one). */
export interface ServedDomains {
  isLocalDomain(domain: string): boolean;
}

export interface StoragePolicy {
  /** Whether `account` (`user@domain`) keeps a journal; may create its storage account. */
  hasStorage(account: string): Promise<boolean>;
}

/** A storage account, or a subscriber of a served domain (its storage account is created the first time). */
export class SubscribersPolicy implements StoragePolicy {
  readonly #accounts: StorageAccountStore;
  readonly #subscribers: CredentialStore;
  readonly #local: ServedDomains;
  readonly #clock: Clock;

  constructor(
    accounts: StorageAccountStore,
    subscribers: CredentialStore,
    local: ServedDomains,
    clock: Clock,
  ) {
    this.#accounts = accounts;
    this.#subscribers = subscribers;
    this.#local = local;
    this.#clock = clock;
  }

  async hasStorage(account: string): Promise<boolean> {
    if ((await this.#accounts.get(account)) !== undefined) return true;
    const at = account.lastIndexOf('@');
    if (at <= 0) return false;
    const user = account.slice(0, at);
    const domain = account.slice(at + 1);
    if (!this.#local.isLocalDomain(domain)) return false;
    if ((await this.#subscribers.lookup(user, domain)) === undefined) return false;
    await this.#accounts.touch(account, this.#clock.now());
    return true;
  }
}
