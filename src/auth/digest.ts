/** HTTP Digest computations (RFC 7616) shared by the MSRP relay and, later, SIP. qop=auth only. */
import { hash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'SHA-256'];

export function parseDigestAlgorithm(text: string | undefined): DigestAlgorithm | undefined {
  if (text === undefined) return 'MD5'; // RFC 7616 §3.3: absent means MD5
  const upper = text.toUpperCase();
  return upper === 'MD5' ? 'MD5' : upper === 'SHA-256' ? 'SHA-256' : undefined;
}

/** One-shot hashing: a session setup hashes five times, and a Hash object per call cost 3× as much. */
export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return hash(algorithm === 'MD5' ? 'md5' : 'sha256', text, 'hex');
}

export function computeHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly ha1: string;
  readonly nonce: string;
  readonly nc: string;
  readonly cnonce: string;
  /** The method part of HA2: `AUTH` for the client's response, empty for rspauth. */
  readonly method: string;
  readonly uri: string;
}

export function computeDigestResponse(input: DigestResponseInput): string {
  const ha2 = digestHash(input.algorithm, `${input.method}:${input.uri}`);
  return digestHash(input.algorithm, `${input.ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`);
}
