/**
 * AUTH request handling of RFC 4976 §5, with msrprelay's checks, order and exact texts (relay spec
 * §2.4–§2.6), and two changes that close the password oracle msrprelay was (relay spec §8 item 24): a wrong
 * password and an unknown user get the same answer unless `uniformFailures` is off, and every password check
 * goes through the process's failed-login limiter (auth/login-limiter.ts), the one SIP digest uses too, so
 * reconnecting does not buy fresh guesses and MSRP failures count against SIP logins from the same source.
 */
import { parseCredentials } from '../../auth/auth-params.js';
import {
  computeDigestResponse,
  computeHa1,
  type DigestAlgorithm,
  parseDigestAlgorithm,
} from '../../auth/digest.js';
import type { LoginGate } from '../../auth/login-limiter.js';
import type { NonceIssuer } from './nonces.js';
import type { Logger } from 'pino';
import type { CredentialStore, StoredCredential } from '../../credentials/store.js';
import type { Header } from '../message.js';

export interface AuthPolicy {
  readonly algorithms: readonly DigestAlgorithm[];
  readonly allowBasic: boolean;
  /** Answer "Incorrect password" for unknown users too, so that accounts cannot be enumerated. */
  readonly uniformFailures: boolean;
}

export type RelayAuthOutcome =
  | { readonly kind: 'challenge'; readonly headers: Header[] }
  | { readonly kind: 'error'; readonly code: 400 | 403; readonly comment: string }
  /** Counts towards max_auth_attempts. */
  | { readonly kind: 'login-failed'; readonly reason: string; readonly username: string }
  | AuthSuccess;

export interface AuthSuccess {
  readonly kind: 'success';
  readonly username: string;
  /** The digest nonce (msrprelay's session id), a copy that shares no memory with the AUTH; undefined for Basic. */
  readonly nonce: string | undefined;
  readonly authenticationInfo: string | undefined;
}

export interface AuthRequest {
  readonly authorization: string | undefined;
  readonly realm: string;
  /** The last token of the raw To-Path text: what msrplib hashes as the digest-uri. */
  readonly digestUri: string;
  readonly clientIp: string;
  readonly secure: boolean;
}

const STRONGEST_FIRST: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];
const REQUIRED_FIELDS = ['username', 'nonce', 'response', 'nc', 'cnonce', 'opaque'] as const;
const PARSE_ERROR = 'Request was unintelligible, please try again (Error parsing Authorization header)';
const WRONG_PASSWORD = 'Incorrect password';
export const TOO_MANY_FAILURES = 'Too many failed attempts';
/** Compared against when the user does not exist, so that an unknown user costs the same hashing. */
const NO_USER_HA1 = '0'.repeat(64);

export class Authenticator {
  readonly #nonces: NonceIssuer;
  readonly #store: CredentialStore;
  readonly #policy: AuthPolicy;
  readonly #limiter: LoginGate;
  readonly #logger: Logger;

  constructor(
    nonces: NonceIssuer,
    store: CredentialStore,
    policy: AuthPolicy,
    limiter: LoginGate,
    logger: Logger,
  ) {
    this.#nonces = nonces;
    this.#store = store;
    this.#policy = policy;
    this.#limiter = limiter;
    this.#logger = logger;
  }

  async authenticate(request: AuthRequest): Promise<RelayAuthOutcome> {
    if (request.authorization === undefined) return { kind: 'challenge', headers: this.challenge(request) };
    const credentials = parseCredentials(request.authorization);
    if (credentials === undefined) return { kind: 'error', code: 400, comment: PARSE_ERROR };
    if (credentials.scheme === 'basic') {
      // Basic sends the password itself: never over plain TCP.
      if (!this.#policy.allowBasic || !request.secure)
        return { kind: 'error', code: 400, comment: PARSE_ERROR };
      return this.#basic(credentials.token, request);
    }
    const params = credentials.params;
    if (params.get('realm') !== request.realm) return forbidden('realm does not match');
    if (params.get('qop') !== 'auth') return forbidden('qop != auth');
    for (const field of REQUIRED_FIELDS) {
      if (!params.has(field)) return forbidden(`${field} field not present in Authorization header`);
    }
    const uri = params.get('uri');
    if (uri !== undefined && uri !== request.digestUri) return forbidden('uri does not match To-Path');
    const algorithm = parseDigestAlgorithm(params.get('algorithm'));
    if (algorithm === undefined || !this.#policy.algorithms.includes(algorithm)) {
      return forbidden('unsupported digest algorithm');
    }
    const username = params.get('username') ?? '';
    const nonce = params.get('nonce') ?? '';
    const nc = params.get('nc') ?? '';
    const cnonce = params.get('cnonce') ?? '';

    const account = `${username}@${request.realm}`;
    if (!this.#limiter.check(request.clientIp, account).allowed) return tooManyFailures(username);
    const found = await this.#find(username, request.realm);
    if (found === 'failed') return { kind: 'login-failed', reason: 'Database error', username };
    const ha1 = found === undefined ? undefined : ha1For(found, algorithm, username, request.realm);
    const expected = computeDigestResponse({
      algorithm,
      ha1: ha1 ?? NO_USER_HA1,
      nonce,
      nc,
      cnonce,
      method: 'AUTH',
      uri: request.digestUri,
    });
    if (ha1 === undefined || expected !== params.get('response')?.toLowerCase()) {
      return this.#failed(request, account, found, username);
    }
    // The password is right from here on: a nonce problem is no guess, and is not counted as one.
    const problem = this.#nonces.check(nonce, params.get('opaque'), request.clientIp);
    if (problem !== undefined) return { kind: 'login-failed', reason: problem, username };
    // In the same step as the check, so two connections cannot both use it.
    const spent = this.#nonces.consume(nonce);
    this.#limiter.recordSuccess(request.clientIp, account);
    const rspauth = computeDigestResponse({
      algorithm,
      ha1,
      nonce,
      nc,
      cnonce,
      method: '',
      uri: request.digestUri,
    });
    return {
      kind: 'success',
      username,
      nonce: spent,
      authenticationInfo: `qop=auth, cnonce="${cnonce}", nc=${nc}, rspauth="${rspauth}"`,
    };
  }

  /** The 401's WWW-Authenticate headers: answered at once, with no lookup (most AUTHs of a setup). */
  challenge(request: AuthRequest): Header[] {
    // One challenge per offered algorithm, strongest first (RFC 7616 §3.7); MD5 alone keeps msrprelay's bytes.
    const offered = STRONGEST_FIRST.filter((algorithm) => this.#policy.algorithms.includes(algorithm));
    const headers: Header[] = offered.map((algorithm) => {
      const { nonce, opaque } = this.#nonces.issue(request.clientIp);
      const suffix = algorithm === 'MD5' ? '' : `, algorithm=${algorithm}`;
      return {
        name: 'WWW-Authenticate',
        value: `Digest realm="${request.realm}", qop="auth", nonce="${nonce}", opaque="${opaque}"${suffix}`,
      };
    });
    if (this.#policy.allowBasic && request.secure) {
      headers.push({ name: 'WWW-Authenticate', value: `Basic realm="${request.realm}"` });
    }
    return headers;
  }

  async #basic(token: string, request: AuthRequest): Promise<RelayAuthOutcome> {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return { kind: 'error', code: 400, comment: PARSE_ERROR };
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const account = `${username}@${request.realm}`;
    if (!this.#limiter.check(request.clientIp, account).allowed) return tooManyFailures(username);
    const found = await this.#find(username, request.realm);
    if (found === 'failed') return { kind: 'login-failed', reason: 'Database error', username };
    const matches =
      found !== undefined &&
      (found.kind === 'password'
        ? found.password === password
        : found.ha1.MD5 !== undefined &&
          found.ha1.MD5 === computeHa1('MD5', username, request.realm, password));
    if (!matches) return this.#failed(request, account, found, username);
    this.#limiter.recordSuccess(request.clientIp, account);
    return { kind: 'success', username, nonce: undefined, authenticationInfo: undefined };
  }

  /** A wrong password or an unknown user: counted, and told apart only when uniform failures are off. */
  #failed(
    request: AuthRequest,
    account: string,
    found: StoredCredential | undefined,
    username: string,
  ): RelayAuthOutcome {
    this.#limiter.recordFailure(request.clientIp, account, found !== undefined);
    const reason =
      found !== undefined || this.#policy.uniformFailures ? WRONG_PASSWORD : 'Username not found';
    return { kind: 'login-failed', reason, username };
  }

  async #find(username: string, realm: string): Promise<StoredCredential | undefined | 'failed'> {
    try {
      return await this.#store.lookup(username, realm);
    } catch (error) {
      // The client only learns that the lookup failed (msrprelay's text); the cause goes to the log.
      this.#logger.error({ err: error, realm }, 'Credential lookup failed');
      return 'failed';
    }
  }
}

function tooManyFailures(username: string): RelayAuthOutcome {
  return { kind: 'login-failed', reason: TOO_MANY_FAILURES, username };
}

function forbidden(detail: string): RelayAuthOutcome {
  return { kind: 'error', code: 403, comment: `Unauthorized: ${detail}` };
}

function ha1For(
  credential: StoredCredential,
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
): string | undefined {
  if (credential.kind === 'password') return computeHa1(algorithm, username, realm, credential.password);
  return credential.ha1[algorithm]?.toLowerCase();
}
