// HTTP Digest (MD5, qop=auth) as the relay uses it for MSRP AUTH (relay spec §2.5, RFC 4976 §5).
import { randomBytes } from 'node:crypto';
import { md5 } from '../../support/md5.js';

export { md5 };

export interface DigestInput {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  readonly nc: string;
  readonly cnonce: string;
  /** The last URI of the AUTH's To-Path, as written. */
  readonly digestUri: string;
}

/** response = MD5(HA1:nonce:nc:cnonce:auth:HA2), HA1 = MD5(user:realm:pass), HA2 = MD5("AUTH:" uri). */
export function digestResponse(d: DigestInput): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`AUTH:${d.digestUri}`);
  return md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:auth:${ha2}`);
}

/** rspauth of Authentication-Info: the same with HA2 = MD5(":" uri). */
export function expectedRspauth(d: DigestInput): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`:${d.digestUri}`);
  return md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:auth:${ha2}`);
}

/** Parses `[Digest ]k="v", k=v, …` (pairs separated by ", " as the relay writes them). */
export function parseDigestParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = value.startsWith('Digest ') ? value.slice(7) : value;
  for (const part of text.split(', ')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`bad digest parameter ${JSON.stringify(part)} in ${JSON.stringify(value)}`);
    out.set(part.slice(0, eq), part.slice(eq + 1).replace(/^"|"$/g, ''));
  }
  return out;
}

export function newCnonce(): string {
  return randomBytes(8).toString('hex');
}
