/**
 * The client side of digest for tests, computed here with node:crypto alone (not src/auth/digest.ts), so
 * that a shared mistake cannot make the server and the tests agree on a wrong answer.
 */
import { createHash } from 'node:crypto';
import { getChallenges } from '../../../src/sip/headers/auth.js';
import type { SipResponse } from '../../../src/sip/message/message.js';

export type Algorithm = 'MD5' | 'SHA-256';

export function hash(algorithm: Algorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(text, 'utf8')
    .digest('hex');
}

export interface DigestAnswer {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  readonly algorithm?: Algorithm;
  /** Default 1; null for an RFC 2069 answer without qop. */
  readonly nc?: number | null;
  readonly cnonce?: string;
  /** Writes `algorithm=` even for MD5 (default true). */
  readonly sayAlgorithm?: boolean;
}

/** An Authorization / Proxy-Authorization value. */
export function digestAuthorization(answer: DigestAnswer): string {
  const algorithm = answer.algorithm ?? 'MD5';
  const ha1 = hash(algorithm, `${answer.username}:${answer.realm}:${answer.password}`);
  const ha2 = hash(algorithm, `${answer.method}:${answer.uri}`);
  const cnonce = answer.cnonce ?? '0a4f113b';
  const nc = answer.nc === undefined ? 1 : answer.nc;
  let value = `Digest username="${answer.username}", realm="${answer.realm}", nonce="${answer.nonce}", uri="${answer.uri}"`;
  if (nc === null) {
    value += `, response="${hash(algorithm, `${ha1}:${answer.nonce}:${ha2}`)}"`;
  } else {
    const ncText = nc.toString(16).padStart(8, '0');
    const response = hash(algorithm, `${ha1}:${answer.nonce}:${ncText}:${cnonce}:auth:${ha2}`);
    value += `, qop=auth, nc=${ncText}, cnonce="${cnonce}", response="${response}"`;
  }
  if (answer.sayAlgorithm !== false) value += `, algorithm=${algorithm}`;
  return value;
}

export interface ChallengeSeen {
  readonly realm: string | undefined;
  readonly nonce: string;
  readonly algorithm: string | undefined;
  readonly qop: string | undefined;
  readonly stale: string | undefined;
  /** Parameter names in order: the "shape" of a challenge. */
  readonly names: readonly string[];
}

/** The digest challenges of a 401 or 407, in order. */
export function challengesOf(response: SipResponse): ChallengeSeen[] {
  const name = response.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  return getChallenges(response.headers, name).flatMap((challenge) =>
    challenge.scheme === 'digest'
      ? [
          {
            realm: challenge.params.get('realm'),
            nonce: challenge.params.get('nonce') ?? '',
            algorithm: challenge.params.get('algorithm'),
            qop: challenge.params.get('qop'),
            stale: challenge.params.get('stale'),
            names: [...challenge.params.keys()],
          },
        ]
      : [],
  );
}

export function firstNonce(response: SipResponse): string {
  const nonce = challengesOf(response)[0]?.nonce;
  if (nonce === undefined || nonce === '') throw new Error(`no challenge in ${response.status}`);
  return nonce;
}
