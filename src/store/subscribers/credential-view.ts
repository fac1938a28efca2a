/**
 * A SubscriberStore seen as a CredentialStore, for digest authentication. It answers with the stored HA1s
 * (never a cleartext password), and a name that cannot exist (bad characters, too long) is an unknown user,
 * not an error: it comes from the network.
 */
import {
  type CredentialStore,
  CredentialStoreError,
  type StoredCredential,
} from '../../credentials/store.js';
import { InvalidInputError } from '../errors.js';
import type { Subscriber } from './subscriber-store.js';

export function credentialView(
  get: (username: string, domain: string) => Promise<Subscriber | undefined>,
): CredentialStore {
  return {
    async lookup(username: string, domain: string): Promise<StoredCredential | undefined> {
      let found: Subscriber | undefined;
      try {
        found = await get(username, domain);
      } catch (error) {
        if (error instanceof InvalidInputError) return undefined;
        throw new CredentialStoreError('subscriber lookup failed', { cause: error });
      }
      if (found === undefined) return undefined;
      // A row written by another tool may lack a hash: an empty one is no credential.
      const ha1: { MD5?: string; 'SHA-256'?: string } = {};
      if (found.ha1 !== '') ha1.MD5 = found.ha1;
      if (found.ha1Sha256 !== '') ha1['SHA-256'] = found.ha1Sha256;
      return ha1.MD5 === undefined && ha1['SHA-256'] === undefined ? undefined : { kind: 'ha1', ha1 };
    },
    // A view does not own the store: closing the Store closes it.
    close: () => Promise.resolve(),
  };
}
