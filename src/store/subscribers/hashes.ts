/** The digest hashes a subscriber row holds, as Kamailio and OpenSIPS compute them. The realm is the domain. */
import { computeHa1, digestHash } from '../../auth/digest.js';

export interface SubscriberHashes {
  /** MD5(username:domain:password): `subscriber.ha1`. */
  readonly ha1: string;
  /** MD5(username@domain:domain:password): Kamailio's `ha1b`, for clients that send user@domain as username. */
  readonly ha1b: string;
  /** SHA-256(username:domain:password): OpenSIPS's `ha1_sha256` (RFC 7616/8760). */
  readonly ha1Sha256: string;
}

export function subscriberHashes(username: string, domain: string, password: string): SubscriberHashes {
  return {
    ha1: computeHa1('MD5', username, domain, password),
    ha1b: digestHash('MD5', `${username}@${domain}:${domain}:${password}`),
    ha1Sha256: computeHa1('SHA-256', username, domain, password),
  };
}
