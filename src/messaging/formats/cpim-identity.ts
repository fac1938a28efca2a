/**
 * CPIM From/To/cc values (RFC 3862 §3.3): `[display-name] <uri>`. Parsing follows python3-sipsimple's
 * ChatIdentity regular expression, so a value it ignores (no `sip:`/`sips:` scheme, no angle brackets) is
 * ignored here too; in addition a quoted display name with backslash escapes is unescaped (RFC 3862's
 * quoted-string), which sipsimple would have refused.
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
  if (quoted !== null) return identity(quoted[2] ?? '', (quoted[1] ?? '').replace(/\\(.)/g, '$1'));
  const match = SIPSIMPLE.exec(value);
  if (match === null) return undefined;
  return identity(match[2] ?? '', match[1]);
}

/** Line breaks and other controls cannot appear in a header; they become spaces. */
function cleanDisplayName(name: string): string {
  return name.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
}

/**
 * `Name <uri>` as SylkServer writes it (display name unquoted), or `<uri>` without a display name. A name
 * that would not survive unquoted (quotes, angle brackets, backslashes) is quoted with escapes instead of
 * being written broken (spec §8.43).
 */
export function formatCpimIdentity(value: { readonly uri: SipUri; readonly displayName?: string | undefined }): string {
  const name = value.displayName === undefined ? '' : cleanDisplayName(value.displayName);
  if (name === '') return `<${value.uri.toString()}>`;
  const written = /["<>\\]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name;
  return `${written} <${value.uri.toString()}>`;
}
