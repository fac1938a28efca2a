/** URI equivalence (RFC 3261 §19.1.4). */
import { normalizeHost } from '../grammar/host.js';
import { unescapeOctets } from '../grammar/percent.js';
import { AbsoluteUri } from './absolute-uri.js';
import { SipUri } from './sip-uri.js';

/** Parameters that, present in one URI, must be present and equal in the other. */
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

function optionalEquals(a: string | undefined, b: string | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && unescapeOctets(a) === unescapeOctets(b));
}

function paramValue(value: string | null): string {
  return value === null ? '' : unescapeOctets(value).toLowerCase();
}

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme || a.port !== b.port) return false;
  // userinfo is case-sensitive, host case-insensitive; escaped and plain characters are equivalent.
  if (!optionalEquals(a.user, b.user) || !optionalEquals(a.password, b.password)) return false;
  if (normalizeHost(unescapeOctets(a.host)) !== normalizeHost(unescapeOctets(b.host))) return false;
  for (const name of MUST_MATCH) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  // Any parameter present in both must match; one present in only one of them is ignored.
  const bParams = unescapedParams(b);
  for (const [name, value] of unescapedParams(a)) {
    const other = bParams.get(name);
    if (other !== undefined && other !== value) return false;
  }
  return headersEqual(a, b);
}

function unescapedParams(uri: SipUri): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of uri.params) params.set(unescapeOctets(name).toLowerCase(), paramValue(value));
  return params;
}

/** Header components are never ignored: the same set in both, with equal values. */
function headersEqual(a: SipUri, b: SipUri): boolean {
  if (a.headers.length !== b.headers.length) return false;
  const key = (uri: SipUri): string[] =>
    uri.headers
      .map(([name, value]) => `${unescapeOctets(name).toLowerCase()}=${unescapeOctets(value)}`)
      .sort();
  const aKeys = key(a);
  const bKeys = key(b);
  return aKeys.every((entry, i) => entry === bKeys[i]);
}

/** Other schemes: same scheme and the same text after unescaping. */
function absoluteUriEquals(a: AbsoluteUri, b: AbsoluteUri): boolean {
  return (
    a.scheme === b.scheme &&
    unescapeOctets(a.text.slice(a.scheme.length + 1)) === unescapeOctets(b.text.slice(b.scheme.length + 1))
  );
}

export function uriEquals(a: SipUri | AbsoluteUri, b: SipUri | AbsoluteUri): boolean {
  if (a instanceof SipUri) return b instanceof SipUri && sipUriEquals(a, b);
  return b instanceof AbsoluteUri && absoluteUriEquals(a, b);
}
