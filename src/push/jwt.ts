/**
 * Compact JSON Web Tokens (RFC 7519) signed with node:crypto: ES256 for APNs provider tokens and RS256 for
 * Google's OAuth 2 service-account assertions (RFC 7523). Only signing: missive never verifies these.
 */
import { type KeyObject, sign } from 'node:crypto';

export type JwtAlgorithm = 'ES256' | 'RS256';

export interface JwtHeader {
  readonly alg: JwtAlgorithm;
  readonly kid?: string;
  readonly typ?: string;
}

function base64Url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `key` must match the algorithm: an EC P-256 key for ES256, an RSA key for RS256. */
export function signJwt(
  header: JwtHeader,
  claims: Readonly<Record<string, unknown>>,
  key: KeyObject,
): string {
  const input = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
  // RFC 7518 §3.4: an ES256 signature is R and S concatenated (64 bytes), not the DER that OpenSSL makes.
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${base64Url(signature)}`;
}
