/**
 * Consuming credentials (RFC 3261 §22.3; Kamailio's `consume_credentials`): before a proxy forwards a request
 * it removes the Proxy-Authorization and Authorization values meant for its own realms. A digest response is
 * a hash of the sender's password: whoever receives it (the recipient's devices, a next hop of another
 * domain) could guess the password offline. Credentials for another realm are left alone, as RFC 3261 §22.3
 * requires: they are meant for a proxy or user agent further on.
 */
import { parseCredentials } from '../../auth/auth-params.js';
import type { SipHeaders } from '../headers/header-list.js';

const CREDENTIAL_HEADERS = ['Proxy-Authorization', 'Authorization'] as const;

/**
 * Removes the credentials for a realm `isOwnRealm` accepts, and those whose realm cannot be read (they do not
 * parse, or are Basic: RFC 3261 §22.1 forbids Basic, and it carries the password itself), since nothing shows
 * that they are not ours. Returns how many values were removed.
 */
export function consumeOwnCredentials(headers: SipHeaders, isOwnRealm: (realm: string) => boolean): number {
  let removed = 0;
  for (const name of CREDENTIAL_HEADERS) {
    if (!headers.has(name)) continue;
    removed += headers.deleteWhere(name, (value) => {
      const credentials = parseCredentials(value);
      if (credentials?.scheme !== 'digest') return true;
      const realm = credentials.params.get('realm');
      return realm === undefined || isOwnRealm(realm);
    });
  }
  return removed;
}
