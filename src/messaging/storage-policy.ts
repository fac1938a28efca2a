/**
 * Which accounts have message storage (spec §3.8). Standalone, missive is the proxy and knows its subscribers:
 * every subscriber of a served domain has storage, its storage account created on first use. Behind a proxy
 * the reference's rule holds: only a registration or an api-token request creates it, so an account without one
 * is skipped silently (§2.3 steps 6–7).
 */
import type { CredentialStore } from '../credentials/store.js';
import type { LocalAddresses } from '../routing/local-addresses.js';
import type { StorageAccountStore } from '../store/storage-accounts/storage-account-store.js';
import type { Clock } from '../time/clock.js';

export interface StoragePolicy {
  /** Whether `account` (`user@domain`) keeps a journal; may create its storage account. */
  hasStorage(account: string): Promise<boolean>;
}

/** Behind a proxy: a storage account must exist. */
export class ExistingAccountsPolicy implements StoragePolicy {
  constructor(private readonly accounts: StorageAccountStore) {}

  async hasStorage(account: string): Promise<boolean> {
    return (await this.accounts.get(account)) !== undefined;
  }
}

/** Standalone: every subscriber of a served domain; the storage account is created the first time. */
export class SubscribersPolicy implements StoragePolicy {
  constructor(
    private readonly accounts: StorageAccountStore,
    private readonly subscribers: CredentialStore,
    private readonly local: LocalAddresses,
    private readonly clock: Clock,
  ) {}

  async hasStorage(account: string): Promise<boolean> {
    if ((await this.accounts.get(account)) !== undefined) return true;
    const at = account.lastIndexOf('@');
    if (at <= 0) return false;
    const user = account.slice(0, at);
    const domain = account.slice(at + 1);
    if (!this.local.isLocalDomain(domain)) return false;
    if ((await this.subscribers.lookup(user, domain)) === undefined) return false;
    await this.accounts.touch(account, this.clock.now());
    return true;
  }
}
