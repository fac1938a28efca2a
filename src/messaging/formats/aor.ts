/**
 * Identities reduced to what the journal and the events carry (sylk spec §2.2): an address-of-record is a SIP URI
 * without its `sip:`/`sips:` scheme (URI parameters kept, a reference quirk), and an "account" is
 * `user@host` alone. Not the location service's AOR key (registrar/aor.ts: user unescaped, domain
 * lower-cased, parameters dropped): these keep what the reference keeps.
 */
import { SipUri } from '../../sip/uri.js';

/** The URI's text without its scheme: `sip:alice@example.com;x=y` gives `alice@example.com;x=y`. */
export function uriWithoutScheme(uri: SipUri): string {
  return uri.toString().slice(uri.scheme.length + 1);
}

/** `{user}@{host}` (IPv6 hosts in brackets), or the host alone for a URI without user part. */
export function accountOfUri(uri: SipUri): string {
  const host = uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  return uri.user === undefined ? host : `${uri.user}@${host}`;
}

/**
 * An AOR as the reference's AORValidator accepts it: an optional `sip:`/`sips:` scheme is dropped and the
 * rest must make a valid SIP URI; undefined otherwise.
 */
export function addressWithoutScheme(value: string): string | undefined {
  const colon = value.indexOf(':');
  const scheme = colon === -1 ? '' : value.slice(0, colon);
  const aor = scheme === 'sip' || scheme === 'sips' ? value.slice(colon + 1) : value;
  return SipUri.parse(`sip:${aor}`) === undefined ? undefined : aor;
}
