/**
 * The parts of an AUTH exchange that depend on the message and the settings only (relay spec §2.4–§2.6): what
 * the authenticator is asked, the Expires bounds, and the headers of the 200 that grants or refreshes a
 * session. The connection keeps the state changes and the pausing of its input.
 */
import type { Header, MsrpHead } from '../message.js';
import { formatPath, type MsrpUri } from '../uri.js';
import type { AuthRequest } from './authenticator.js';
import type { Paths } from './checks.js';
import type { RelaySettings } from './settings.js';

/** The realm digest credentials are checked against: default_domain, else the host the AUTH was sent to. */
export function authRealm(settings: RelaySettings, paths: Paths): string {
  return settings.defaultDomain !== '' ? settings.defaultDomain : (paths.to[0]?.host ?? '');
}

export function authRequestOf(
  head: MsrpHead,
  paths: Paths,
  settings: RelaySettings,
  client: { readonly ip: string; readonly secure: boolean },
): AuthRequest {
  const toTokens = paths.toText.split(/[ \t]+/);
  return {
    authorization: head.headers.get('Authorization'),
    realm: authRealm(settings, paths),
    // The last token of the raw To-Path text: what msrplib hashes as the digest-uri.
    digestUri: toTokens[toTokens.length - 1] ?? '',
    clientIp: client.ip,
    secure: client.secure,
  };
}

/** The AUTH's Expires (the default when absent), or the header of the 423 when it is out of bounds. */
export function expiresOf(settings: RelaySettings, head: MsrpHead): number | Header {
  const text = head.headers.get('Expires');
  const expires = text === undefined ? settings.sessionExpirationTimeDefault : Number(text.trim());
  if (expires < settings.sessionExpirationTimeMinimum)
    return { name: 'Min-Expires', value: String(settings.sessionExpirationTimeMinimum) };
  if (expires > settings.sessionExpirationTimeMaximum)
    return { name: 'Max-Expires', value: String(settings.sessionExpirationTimeMaximum) };
  return expires;
}

/** The 200 for a new session: Use-Path is the relays the AUTH came through (nearest last), then this relay. */
export function grantHeaders(
  paths: Paths,
  relayUri: MsrpUri,
  expires: number,
  authenticationInfo: string | undefined,
): Header[] {
  const usePath = [...paths.from.slice(0, -1).reverse(), relayUri];
  const headers: Header[] = [
    { name: 'Use-Path', value: formatPath(usePath) },
    { name: 'Expires', value: String(expires) },
  ];
  if (authenticationInfo !== undefined)
    headers.push({ name: 'Authentication-Info', value: authenticationInfo });
  return headers;
}

/** The 200 for a refresh of an existing session (the relay's URI as the AUTH addressed it). */
export function refreshHeaders(paths: Paths, expires: number): Header[] {
  return [
    { name: 'Use-Path', value: paths.to[0]?.text ?? '' },
    { name: 'Expires', value: String(expires) },
  ];
}
