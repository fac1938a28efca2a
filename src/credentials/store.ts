/**
 * Subscriber credentials, shared by the MSRP relay and the SIP registrar. A store returns what it holds
 * for (username, domain): a cleartext password, or pre-computed HA1 hashes (MD5(user:realm:password)
 * as OpenSIPS/Kamailio `subscriber.ha1`, and its SHA-256 variant where a table has one).
 */
import type { DigestAlgorithm } from '../auth/digest.js';

export type StoredCredential =
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'ha1'; readonly ha1: Partial<Readonly<Record<DigestAlgorithm, string>>> };

export interface CredentialStore {
  /** undefined when the user does not exist; rejects with CredentialStoreError when the store fails. */
  lookup(username: string, domain: string): Promise<StoredCredential | undefined>;
  close(): Promise<void>;
}

export class CredentialStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CredentialStoreError';
  }
}
