import type { CredentialStore, StoredCredential } from './store.js';

/**
 * msrprelay's `[Memory]` backend: `user@domain = password` entries, looked up by the exact key
 * `username@realm`. Keys are taken as written (msrprelay's ConfigParser turned `-` into `_` in them,
 * so `carol@my-domain.com` could never log in; here it can).
 */
export class MemoryCredentialStore implements CredentialStore {
  readonly #passwords: ReadonlyMap<string, string>;

  constructor(entries: Iterable<readonly [string, string]>) {
    this.#passwords = new Map(entries);
  }

  lookup(username: string, domain: string): Promise<StoredCredential | undefined> {
    const password = this.#passwords.get(`${username}@${domain}`);
    return Promise.resolve(password === undefined ? undefined : { kind: 'password', password });
  }

  get size(): number {
    return this.#passwords.size;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
