/**
 * Which accounts have message storage (sylk spec §3.8): an account with a storage account (the reference's rule:
 * a registration or an api-token request created it), and every subscriber of a served domain in missive's
 * store, its storage account created on first use. Standalone, missive is the registrar and every user is a
 * subscriber; behind a proxy, Kamailio authenticates from the same subscriber table (deploy/kamailio), so its
 * users have storage too, while a proxy with a user database of its own leaves only the reference's rule.
 * An account with neither is skipped silently (sylk spec §2.3 steps 6–7).
 *
 * Every stored MESSAGE asks this for both sides, so a yes is remembered for `ttlMs`: on PostgreSQL that is
 * two round trips fewer per MESSAGE. Only a yes: an account given storage (here, or by `missive db` or
 * another instance) has it at once. Storage accounts are removed only by `missive db remove`, another
 * process: the server keeps storing for such an account for at most `ttlMs` after it (a subscriber's storage
 * account would be created again by its next message anyway).
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

export interface StorageCacheOptions {
  /** How long a yes is believed without asking the store again. */
  readonly ttlMs: number;
  /** Accounts remembered at most (the oldest is forgotten first): bounds the memory. */
  readonly maxAccounts: number;
}

export const DEFAULT_STORAGE_CACHE: StorageCacheOptions = { ttlMs: 10_000, maxAccounts: 100_000 };

/** A storage account, or a subscriber of a served domain (its storage account is created the first time). */
export class SubscribersPolicy implements StoragePolicy {
  readonly #accounts: StorageAccountStore;
  readonly #subscribers: CredentialStore;
  readonly #local: ServedDomains;
  readonly #clock: Clock;
  readonly #cache: StorageCacheOptions;
  /** Accounts known to have storage, each until when, oldest first. */
  readonly #known = new Map<string, number>();

  constructor(
    accounts: StorageAccountStore,
    subscribers: CredentialStore,
    local: ServedDomains,
    clock: Clock,
    cache: StorageCacheOptions = DEFAULT_STORAGE_CACHE,
  ) {
    this.#accounts = accounts;
    this.#subscribers = subscribers;
    this.#local = local;
    this.#clock = clock;
    this.#cache = cache;
  }

  async hasStorage(account: string): Promise<boolean> {
    const now = this.#clock.now();
    const until = this.#known.get(account);
    if (until !== undefined && now < until) return true;
    this.#known.delete(account);
    const has = await this.#lookUp(account);
    if (has) this.#remember(account, now + this.#cache.ttlMs);
    return has;
  }

  #remember(account: string, until: number): void {
    this.#known.delete(account);
    if (this.#known.size >= this.#cache.maxAccounts) {
      const oldest = this.#known.keys().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
    this.#known.set(account, until);
  }

  async #lookUp(account: string): Promise<boolean> {
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
