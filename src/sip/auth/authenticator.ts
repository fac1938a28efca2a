/**
 * SIP digest authentication at a server (RFC 3261 §22, RFC 7616, RFC 8760 for SHA-256): a request either
 * carries valid credentials for the realm, or gets the response to send — a challenge (401/407), a 400
 * for credentials that cannot be checked, a 403 while its source (or its source for that account) is
 * blocked for failed logins, a 500 when the credential store fails. Stateless nonces (nonce.ts) and nc
 * replay tracking (nonce-counts.ts) are its parts; the failed-login limiter (auth/login-limiter.ts) is
 * shared with the other ways in (MSRP AUTH, the WebSocket API) and comes in through the options.
 */
import type { Logger } from 'pino';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../../auth/digest.js';
import { type LoginGate, LoginLimiter, type LoginLimits } from '../../auth/login-limiter.js';
import type { CredentialStore, StoredCredential } from '../../credentials/store.js';
import type { Clock } from '../../time/clock.js';
import { findDigestCredentials, formatDigestChallenge } from '../headers/auth.js';
import { createResponse } from '../message/create-response.js';
import { generateTag } from '../message/ids.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseUri, type Uri, uriEquals } from '../uri.js';
import { type DigestCredentials, ha1For, readCredentials, responseMatches } from './credentials.js';
import { DigestNonces } from './nonce.js';
import { NonceCounts } from './nonce-counts.js';

/** 'www': Authorization, 401, WWW-Authenticate (registrars, UAS). 'proxy': Proxy-Authorization, 407. */
export type AuthKind = 'www' | 'proxy';

export interface DigestAuthenticatorOptions {
  readonly credentials: CredentialStore;
  readonly clock: Clock;
  /** Offered, preferred first; one challenge header each. Default MD5 only: what every deployed client does. */
  readonly algorithms?: readonly DigestAlgorithm[] | undefined;
  /** How long a nonce may be used. Default 300 s. */
  readonly nonceLifetimeSeconds?: number | undefined;
  /** Accept RFC 2069 credentials (no qop); each nonce is then single-use. Default false. */
  readonly allowNoQop?: boolean | undefined;
  /** HMAC key of the nonces (≥ 16 bytes); share it between instances behind one dispatcher. Default random. */
  readonly nonceKey?: Buffer | undefined;
  /**
   * Keys of the previous process (nonce-key-file.ts): its nonces are answered `stale=true` when the password
   * is right, never accepted, since their nonce counts were lost with it (RFC 7616 §3.3).
   */
  readonly previousNonceKeys?: readonly Buffer[] | undefined;
  /** Nonces whose nc is remembered. Default 50 000. */
  readonly maxTrackedNonces?: number | undefined;
  /** The process's failed-login limiter, shared with the other ways in. Default: one of its own. */
  readonly limiter?: LoginGate | undefined;
  /** The limits of the limiter made when `limiter` is not given. */
  readonly failures?: LoginLimits | undefined;
  /** Retry-After of the 500 sent when the credential store fails. Default 10 s. */
  readonly retryAfterSeconds?: number | undefined;
  readonly logger?: Logger | undefined;
}

export interface AuthContext {
  /** The realm to challenge with and accept credentials for (a registrar's: the To domain). */
  readonly realm: string;
  readonly kind: AuthKind;
  /** The request's source IP address, for the failed-login limits. */
  readonly sourceAddress: string;
}

export interface DigestIdentity {
  /** As the client sent it in the credentials (and as the store knew it). */
  readonly username: string;
  readonly realm: string;
}

export type AuthOutcome =
  | { readonly kind: 'authenticated'; readonly identity: DigestIdentity }
  | { readonly kind: 'rejected'; readonly response: SipResponse };

export const DEFAULT_NONCE_LIFETIME_SECONDS = 300;
export const DEFAULT_MAX_TRACKED_NONCES = 50_000;
export const DEFAULT_STORE_RETRY_AFTER_SECONDS = 10;
export const TOO_MANY_FAILURES_REASON = 'Too Many Failed Attempts';

const HEADERS = {
  www: { credentials: 'Authorization', challenge: 'WWW-Authenticate', status: 401 },
  proxy: { credentials: 'Proxy-Authorization', challenge: 'Proxy-Authenticate', status: 407 },
} as const;

export class DigestAuthenticator {
  readonly #store: CredentialStore;
  readonly #clock: Clock;
  readonly #algorithms: readonly DigestAlgorithm[];
  readonly #allowNoQop: boolean;
  readonly #nonces: DigestNonces;
  readonly #counts: NonceCounts;
  readonly #limiter: LoginGate;
  readonly #retryAfterSeconds: number;
  readonly #logger: Logger | undefined;

  constructor(options: DigestAuthenticatorOptions) {
    this.#store = options.credentials;
    this.#clock = options.clock;
    const offered: readonly DigestAlgorithm[] = options.algorithms ?? ['MD5'];
    this.#algorithms = [...new Set(offered)];
    if (this.#algorithms.length === 0 || !this.#algorithms.every((a) => DIGEST_ALGORITHMS.includes(a))) {
      throw new RangeError(`offer one or more of ${DIGEST_ALGORITHMS.join(', ')}`);
    }
    this.#allowNoQop = options.allowNoQop ?? false;
    const lifetimeMs = (options.nonceLifetimeSeconds ?? DEFAULT_NONCE_LIFETIME_SECONDS) * 1000;
    if (!(lifetimeMs > 0)) throw new RangeError('nonceLifetimeSeconds must be positive');
    this.#nonces = new DigestNonces(
      options.nonceKey ?? DigestNonces.randomKey(),
      lifetimeMs,
      options.previousNonceKeys,
    );
    this.#counts = new NonceCounts(options.maxTrackedNonces ?? DEFAULT_MAX_TRACKED_NONCES, lifetimeMs);
    this.#limiter = options.limiter ?? new LoginLimiter(options.clock, options.failures);
    this.#retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_STORE_RETRY_AFTER_SECONDS;
    this.#logger = options.logger;
  }

  async authenticate(request: SipRequest, context: AuthContext): Promise<AuthOutcome> {
    const { realm, sourceAddress } = context;
    if (!this.#limiter.check(sourceAddress).allowed) return tooManyFailures(request);
    // Credentials for another realm are not ours to judge (RFC 3261 §22.4): the client is simply challenged.
    const params = findDigestCredentials(request.headers, HEADERS[context.kind].credentials, realm);
    if (params === undefined) return this.challenge(request, context, false);
    const shape = readCredentials(params);
    if (!shape.ok) return rejected(request, 400, shape.reason);
    const credentials = shape.credentials;
    const algorithm = credentials.algorithm;
    if (algorithm === undefined || !this.#algorithms.includes(algorithm)) {
      return this.challenge(request, context, false);
    }
    if (credentials.qop === undefined && !this.#allowNoQop)
      return rejected(request, 400, 'Digest qop Required');
    if (!uriMatches(credentials.uri, request.uri)) return rejected(request, 400, 'Digest URI Mismatch');
    const now = this.#clock.now();
    const nonce = this.#nonces.check(credentials.nonce, realm, now);
    if (nonce.kind === 'invalid') return this.challenge(request, context, false);

    const account = `${credentials.username}@${realm}`;
    if (!this.#limiter.check(sourceAddress, account).allowed) return tooManyFailures(request);
    const stored = await this.#lookup(credentials, realm);
    if (stored === 'failed') return this.#storeFailed(request);
    const ha1 = stored === undefined ? undefined : ha1For(stored, algorithm, credentials.username, realm);
    // An unknown user and a wrong password get the same answer, so accounts cannot be enumerated.
    if (ha1 === undefined || !responseMatches(credentials, algorithm, ha1, request.method)) {
      this.#limiter.recordFailure(sourceAddress, account, stored !== undefined);
      return this.challenge(request, context, false);
    }
    // The password is right: an old nonce, one of the previous process or a replayed nc only needs a new
    // nonce (stale=true, RFC 7616 §3.3).
    if (nonce.kind === 'expired' || nonce.kind === 'previous') return this.challenge(request, context, true);
    if (!this.#counts.advance(credentials.nonce, nonce.issuedAt, credentials.qop?.nc ?? 0, now)) {
      return this.challenge(request, context, true);
    }
    this.#limiter.recordSuccess(sourceAddress, account);
    return { kind: 'authenticated', identity: { username: credentials.username, realm } };
  }

  /** A fresh challenge for the realm: one header per offered algorithm, preferred first (RFC 8760 §2.4). */
  challenge(request: SipRequest, context: Pick<AuthContext, 'realm' | 'kind'>, stale: boolean): AuthOutcome {
    const { status, challenge } = HEADERS[context.kind];
    const response = createResponse(request, status, undefined, { toTag: generateTag() });
    const nonce = this.#nonces.issue(context.realm, this.#clock.now());
    for (const algorithm of this.#algorithms) {
      response.headers.add(
        challenge,
        formatDigestChallenge({ realm: context.realm, nonce, algorithm, qop: true, stale }),
      );
    }
    return { kind: 'rejected', response };
  }

  async #lookup(
    credentials: DigestCredentials,
    realm: string,
  ): Promise<StoredCredential | undefined | 'failed'> {
    try {
      return await this.#store.lookup(credentials.username, realm);
    } catch (error) {
      // CredentialStoreError normally; anything else is answered the same way rather than crashing.
      this.#logger?.error({ err: error, realm }, 'credential lookup failed');
      return 'failed';
    }
  }

  #storeFailed(request: SipRequest): AuthOutcome {
    const response = createResponse(request, 500, undefined, { toTag: generateTag() });
    response.headers.add('Retry-After', String(this.#retryAfterSeconds));
    return { kind: 'rejected', response };
  }
}

function rejected(request: SipRequest, status: number, reason: string): AuthOutcome {
  return { kind: 'rejected', response: createResponse(request, status, reason, { toTag: generateTag() }) };
}

function tooManyFailures(request: SipRequest): AuthOutcome {
  return rejected(request, 403, TOO_MANY_FAILURES_REASON);
}

/** The digest-uri must name the Request-URI (RFC 3261 §22.4): as written, or equal by RFC 3261 §19.1.4. */
function uriMatches(digestUri: string, requestUri: Uri): boolean {
  if (digestUri === requestUri.toString()) return true;
  const parsed = parseUri(digestUri);
  return parsed !== undefined && uriEquals(parsed, requestUri);
}
