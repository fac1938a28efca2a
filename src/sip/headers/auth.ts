/**
 * Authorization, Proxy-Authorization, WWW-Authenticate and Proxy-Authenticate (RFC 3261 §20.7, §20.27,
 * §20.28, §20.44). The syntax is HTTP's, already parsed by src/auth for MSRP; this file only reads the
 * fields of a SIP message (one credential or challenge per field: their grammar has commas of its own, so
 * the fields are never split) and writes challenges.
 */
import { type Credentials, parseCredentials } from '../../auth/auth-params.js';
import type { DigestAlgorithm } from '../../auth/digest.js';
import { quote } from '../grammar/quoted.js';
import type { SipHeaders } from './header-list.js';

export type { Credentials } from '../../auth/auth-params.js';

/** Every well-formed credential in the message's Authorization or Proxy-Authorization fields, in order. */
export function getCredentials(
  headers: SipHeaders,
  name: 'Authorization' | 'Proxy-Authorization',
): Credentials[] {
  return headers.decodeEach(name, parseCredentials).filter((c): c is Credentials => c !== undefined);
}

/** The first digest credentials for `realm` (RFC 3261 §22.4: one Authorization per realm). */
export function findDigestCredentials(
  headers: SipHeaders,
  name: 'Authorization' | 'Proxy-Authorization',
  realm: string,
): ReadonlyMap<string, string> | undefined {
  for (const credentials of getCredentials(headers, name)) {
    if (credentials.scheme === 'digest' && credentials.params.get('realm') === realm)
      return credentials.params;
  }
  return undefined;
}

/** Challenges have the same shape as digest credentials: scheme and auth-params. */
export function getChallenges(
  headers: SipHeaders,
  name: 'WWW-Authenticate' | 'Proxy-Authenticate',
): Credentials[] {
  return headers.decodeEach(name, parseCredentials).filter((c): c is Credentials => c !== undefined);
}

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm?: DigestAlgorithm | undefined;
  readonly opaque?: string | undefined;
  readonly stale?: boolean | undefined;
  /** qop="auth" unless false. */
  readonly qop?: boolean | undefined;
}

/** A WWW-Authenticate / Proxy-Authenticate value (RFC 3261 §22.1, RFC 8760 for SHA-256). */
export function formatDigestChallenge(challenge: DigestChallenge): string {
  let out = `Digest realm=${quote(challenge.realm)}, nonce=${quote(challenge.nonce)}`;
  if (challenge.opaque !== undefined) out += `, opaque=${quote(challenge.opaque)}`;
  if (challenge.algorithm !== undefined) out += `, algorithm=${challenge.algorithm}`;
  if (challenge.qop !== false) out += ', qop="auth"';
  if (challenge.stale === true) out += ', stale=true';
  return out;
}
