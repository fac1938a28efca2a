/**
 * The digest credentials of a request (RFC 3261 §22.4, RFC 7616 §3.4) checked for shape, and the
 * response they should carry computed from a stored credential. Nothing here knows about nonces' age.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  computeDigestResponse,
  computeHa1,
  type DigestAlgorithm,
  digestHash,
  parseDigestAlgorithm,
} from '../../auth/digest.js';
import type { StoredCredential } from '../../credentials/store.js';

export interface DigestCredentials {
  readonly username: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  /** undefined: an algorithm this server does not implement (the client gets a new challenge). */
  readonly algorithm: DigestAlgorithm | undefined;
  /** Present for qop=auth; absent for RFC 2069 credentials. */
  readonly qop: { readonly nc: number; readonly ncText: string; readonly cnonce: string } | undefined;
}

export type CredentialsShape =
  | { readonly ok: true; readonly credentials: DigestCredentials }
  | { readonly ok: false; readonly reason: string };

const NC = /^[0-9a-fA-F]{8}$/;
const REQUIRED = ['username', 'nonce', 'uri', 'response'] as const;

/** `params` are those of the Digest credentials for our realm (findDigestCredentials). */
export function readCredentials(params: ReadonlyMap<string, string>): CredentialsShape {
  for (const name of REQUIRED) {
    if ((params.get(name) ?? '') === '') return { ok: false, reason: `Digest ${name} Missing` };
  }
  const qop = params.get('qop');
  let counted: DigestCredentials['qop'];
  if (qop !== undefined) {
    if (qop.toLowerCase() !== 'auth') return { ok: false, reason: 'Digest qop Not Supported' };
    const nc = params.get('nc') ?? '';
    const cnonce = params.get('cnonce') ?? '';
    if (!NC.test(nc)) return { ok: false, reason: 'Digest nc Invalid' };
    if (cnonce === '') return { ok: false, reason: 'Digest cnonce Missing' };
    counted = { nc: Number.parseInt(nc, 16), ncText: nc, cnonce };
  }
  return {
    ok: true,
    credentials: {
      username: params.get('username') ?? '',
      nonce: params.get('nonce') ?? '',
      uri: params.get('uri') ?? '',
      response: params.get('response') ?? '',
      algorithm: parseDigestAlgorithm(params.get('algorithm')),
      qop: counted,
    },
  };
}

/** HA1 for the algorithm, or undefined when the store holds none for it (an HA1-only store without SHA-256). */
export function ha1For(
  stored: StoredCredential,
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
): string | undefined {
  if (stored.kind === 'password') return computeHa1(algorithm, username, realm, stored.password);
  return stored.ha1[algorithm]?.toLowerCase();
}

/** Whether `credentials.response` is the digest of `method` with this HA1, compared in constant time. */
export function responseMatches(
  credentials: DigestCredentials,
  algorithm: DigestAlgorithm,
  ha1: string,
  method: string,
): boolean {
  const { nonce, uri, qop } = credentials;
  const expected =
    qop === undefined
      ? // RFC 2069: KD(HA1, nonce:HA2), without nc, cnonce or qop.
        digestHash(algorithm, `${ha1}:${nonce}:${digestHash(algorithm, `${method}:${uri}`)}`)
      : computeDigestResponse({ algorithm, ha1, nonce, nc: qop.ncText, cnonce: qop.cnonce, method, uri });
  const given = Buffer.from(credentials.response.toLowerCase(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
