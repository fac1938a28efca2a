// The AUTH exchange of relay spec §2.1 / relay spec §9.0: challenge, digest, 200 with Use-Path.
import type { MsrpConnection } from './connection.js';
import { digestResponse, newCnonce, parseDigestParams } from './digest.js';
import { type HeaderList, type MsrpMessage, header, newTid, request, show } from './message.js';

export interface Challenge {
  readonly message: MsrpMessage;
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string;
}

export interface AuthRequestOptions {
  readonly toUri: string;
  readonly fromUri: string;
  readonly tid?: string;
  /** Extra headers after From-Path, e.g. Authorization or Expires. */
  readonly headers?: HeaderList;
}

export function authRequest(opts: AuthRequestOptions): Buffer {
  return request({
    tid: opts.tid ?? newTid(),
    method: 'AUTH',
    toPath: opts.toUri,
    fromPath: opts.fromUri,
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
}

/** Sends an AUTH without credentials and returns the parsed 401 challenge. */
export async function requestChallenge(conn: MsrpConnection, opts: AuthRequestOptions): Promise<Challenge> {
  await conn.write(authRequest(opts));
  const msg = await conn.nextMessage();
  if (msg.status !== 401) throw new Error(`expected 401, got:\n${show(msg)}`);
  const params = parseDigestParams(header(msg, 'WWW-Authenticate') ?? '');
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  const opaque = params.get('opaque');
  if (realm === undefined || nonce === undefined || opaque === undefined) {
    throw new Error(`incomplete challenge:\n${show(msg)}`);
  }
  return { message: msg, realm, nonce, opaque };
}

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** Overrides for individual fields (realm, qop, opaque…), or undefined to leave a field out. */
  readonly override?: Readonly<Record<string, string | undefined>>;
  /** Parameters appended at the end, e.g. uri="…". */
  readonly extra?: readonly string[];
  readonly cnonce?: string;
}

/** The Authorization header value a client like msrplib sends (relay spec §2.1), computed for `digestUri`. */
export function authorization(challenge: Challenge, digestUri: string, cred: Credentials = {}): string {
  const override = cred.override ?? {};
  const pick = (name: string, value: string): string | undefined =>
    Object.hasOwn(override, name) ? override[name] : value;
  const username = cred.username ?? 'alice';
  const cnonce = cred.cnonce ?? newCnonce();
  const realm = pick('realm', challenge.realm);
  const response = digestResponse({
    username,
    realm: realm ?? challenge.realm,
    password: cred.password ?? '1234',
    nonce: challenge.nonce,
    nc: '00000001',
    cnonce,
    digestUri,
  });
  const fields: [string, string | undefined, boolean][] = [
    ['username', pick('username', username), true],
    ['realm', realm, true],
    ['nonce', pick('nonce', challenge.nonce), true],
    ['qop', pick('qop', 'auth'), false],
    ['nc', pick('nc', '00000001'), false],
    ['cnonce', pick('cnonce', cnonce), true],
    ['response', pick('response', response), true],
    ['opaque', pick('opaque', challenge.opaque), true],
  ];
  const parts = fields
    .filter((f): f is [string, string, boolean] => f[1] !== undefined)
    .map(([name, value, quoted]) => (quoted ? `${name}="${value}"` : `${name}=${value}`));
  return `Digest ${[...parts, ...(cred.extra ?? [])].join(', ')}`;
}

export interface AuthOptions {
  readonly toUri: string;
  readonly fromUri: string;
  readonly username?: string;
  readonly password?: string;
  readonly expires?: number;
}

export interface AuthResult {
  readonly challenge: Challenge;
  readonly ok: MsrpMessage;
  readonly usePath: string;
  /** The session part of the (last) Use-Path URI. */
  readonly sessionId: string;
}

/** The relay spec §9.0 AUTH helper: 401, digest, 200; returns Use-Path and session id. */
export async function auth(conn: MsrpConnection, opts: AuthOptions): Promise<AuthResult> {
  const challenge = await requestChallenge(conn, opts);
  const cred = {
    ...(opts.username === undefined ? {} : { username: opts.username }),
    ...(opts.password === undefined ? {} : { password: opts.password }),
  };
  const headers: [string, string][] = [['Authorization', authorization(challenge, opts.toUri, cred)]];
  if (opts.expires !== undefined) headers.push(['Expires', String(opts.expires)]);
  await conn.write(authRequest({ toUri: opts.toUri, fromUri: opts.fromUri, headers }));
  const ok = await conn.nextMessage();
  const usePath = header(ok, 'Use-Path');
  if (ok.status !== 200 || usePath === undefined) throw new Error(`AUTH failed:\n${show(ok)}`);
  return { challenge, ok, usePath, sessionId: sessionIdOf(usePath.split(' ').at(-1) ?? '') };
}

/** The session-id of an MSRP URI (`scheme://host:port/<sid>;tcp`). */
export function sessionIdOf(uri: string): string {
  const m = /^msrps?:\/\/[^/;]+\/([^;]+);/.exec(uri);
  if (!m?.[1]) throw new Error(`no session id in ${uri}`);
  return m[1];
}
