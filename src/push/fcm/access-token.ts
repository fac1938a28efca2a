/**
 * The OAuth 2 access token for FCM, from the service account (RFC 7523 JWT bearer grant, as Google's
 * "Using OAuth 2.0 for Server to Server Applications" describes): an RS256 assertion posted to the key's
 * token_uri. The token is kept until shortly before it expires, and only one fetch runs at a time: sends that
 * need a token while one is being fetched wait for that one.
 */
import type { Clock } from '../../time/clock.js';
import { post } from '../http-post.js';
import { signJwt } from '../jwt.js';
import { FIREBASE_MESSAGING_SCOPE, type ServiceAccount } from './options.js';

export type AccessTokenResult =
  | { readonly ok: true; readonly token: string }
  /** `retry`: worth trying again (no answer, 429, 5xx); else the key or the account is wrong. */
  | { readonly ok: false; readonly retry: boolean; readonly reason: string };

/** Google's tokens live an hour; renewing five minutes early keeps a send from racing the expiry. */
const RENEW_MARGIN_MS = 5 * 60 * 1000;
const ASSERTION_LIFETIME_SECONDS = 3600;
const MAX_ANSWER_BYTES = 16_384;
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export class FcmAccessToken {
  readonly #account: ServiceAccount;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  #current: { readonly token: string; readonly renewAtMs: number } | undefined;
  #pending: Promise<AccessTokenResult> | undefined;
  #fetches = 0;

  constructor(account: ServiceAccount, clock: Clock, timeoutMs: number) {
    this.#account = account;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** How many times a token was asked for (for metrics and tests). */
  get fetches(): number {
    return this.#fetches;
  }

  get(): Promise<AccessTokenResult> {
    if (this.#current !== undefined && this.#clock.now() < this.#current.renewAtMs) {
      return Promise.resolve({ ok: true, token: this.#current.token });
    }
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** After FCM answered 401 to `token`: the next send fetches a new one (once, however many were refused). */
  refused(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #fetch(): Promise<AccessTokenResult> {
    this.#fetches += 1;
    const issuedAt = Math.floor(this.#clock.now() / 1000);
    const { clientEmail, privateKey, privateKeyId, tokenUri, tokenUrl } = this.#account;
    const assertion = signJwt(
      { alg: 'RS256', typ: 'JWT', ...(privateKeyId === undefined ? {} : { kid: privateKeyId }) },
      {
        iss: clientEmail,
        scope: FIREBASE_MESSAGING_SCOPE,
        aud: tokenUri,
        iat: issuedAt,
        exp: issuedAt + ASSERTION_LIFETIME_SECONDS,
      },
      privateKey,
    );
    const result = await post(tokenUrl, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
      timeoutMs: this.#timeoutMs,
      maxAnswerBytes: MAX_ANSWER_BYTES,
      clock: this.#clock,
    });
    if (!result.ok)
      return { ok: false, retry: true, reason: `OAuth token endpoint unreachable: ${result.error}` };
    const { status, body } = result.answer;
    const json = parseObject(body);
    if (status !== 200) {
      // RFC 6749 §5.2: `error` and maybe `error_description`.
      const detail = [json?.error, json?.error_description].filter((v) => typeof v === 'string').join(': ');
      return {
        ok: false,
        retry: status === 429 || status >= 500,
        reason: `OAuth token endpoint ${String(status)}${detail === '' ? '' : ` ${detail.slice(0, 200)}`}`,
      };
    }
    const token = json?.access_token;
    const expiresIn = json?.expires_in;
    if (
      typeof token !== 'string' ||
      token.length > 4096 ||
      !TOKEN.test(token) ||
      typeof expiresIn !== 'number' ||
      !(expiresIn > 0)
    ) {
      return {
        ok: false,
        retry: true,
        reason: 'OAuth token endpoint answered without a usable access token',
      };
    }
    const lifetimeMs = expiresIn * 1000;
    const renewAtMs = this.#clock.now() + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 2);
    this.#current = { token, renewAtMs };
    return { ok: true, token };
  }
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
