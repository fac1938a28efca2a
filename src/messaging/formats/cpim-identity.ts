/**
 * CPIM From/To/cc values (RFC 3862 §3.3): `[display-name] <uri>`. Parsing follows python3-sipsimple's
 * ChatIdentity regular expression, so a value it ignores (no `sip:`/`sips:` scheme, no angle brackets) is
 * ignored here too. One deliberate difference: a quoted display name with backslash escapes (RFC 3862's
 * quoted-string) is unescaped, where sipsimple would keep the backslashes or refuse the value.
 */
import { SipUri } from '../../sip/uri.js';

export interface CpimIdentity {
  readonly uri: SipUri;
  /** Undefined when there is none (or it was empty). */
  readonly displayName: string | undefined;
}

// python3-sipsimple: ^(?:"?(?P<display_name>[^<]*[^"\s])"?)?\s*<(?P<uri>sips?:.+)>$ ("." is "[^\n]" there).
const SIPSIMPLE = /^(?:"?([^<]*[^"\s])"?)?\s*<(sips?:[^\n]+)>$/;
const QUOTED = /^"((?:[^"\\\n]|\\[^\n])*)"\s*<(sips?:[^\n]+)>$/;

function identity(uriText: string, displayName: string | undefined): CpimIdentity | undefined {
  const uri = SipUri.parse(uriText);
  if (uri === undefined) return undefined;
  return { uri, displayName: displayName === '' ? undefined : displayName };
}

/** The identity a header value names; undefined when sipsimple would not parse it (it is then ignored). */
export function parseCpimIdentity(value: string): CpimIdentity | undefined {
  const quoted = QUOTED.exec(value);
  const escaped = quoted?.[1]?.includes('\\') === true;
  const match = escaped ? null : SIPSIMPLE.exec(value);
  // sipsimple's reading first; a quoted name holding "<sip:" can fool it into an invalid URI.
  const plain = match === null ? undefined : identity(match[2] ?? '', match[1]);
  if (plain !== undefined || quoted === null) return plain;
  return identity(quoted[2] ?? '', (quoted[1] ?? '').replace(/\\(.)/g, '$1'));
}

/** Line breaks and other controls cannot appear in a header; they become spaces. */
function cleanDisplayName(name: string): string {
  return name.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
}

/** The URI with its scheme in lower case: sipsimple's expression only knows `sip:` and `sips:`. */
function uriText(uri: SipUri): string {
  return uri.scheme + uri.toString().slice(uri.scheme.length);
}

/**
 * `Name <uri>` as SylkServer writes it (display name unquoted), or `<uri>` without a display name. A name
 * that would not survive unquoted (quotes, angle brackets, backslashes) is quoted with escapes instead of
 * being written broken (sylk spec §8.43).
 */
export function formatCpimIdentity(value: {
  readonly uri: SipUri;
  readonly displayName?: string | undefined;
}): string {
  const name = value.displayName === undefined ? '' : cleanDisplayName(value.displayName);
  if (name === '') return `<${uriText(value.uri)}>`;
  const written = /["<>\\]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name;
  return `${written} <${uriText(value.uri)}>`;
}
