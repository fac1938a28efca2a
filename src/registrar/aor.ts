/**
 * Addresses of record as the location service keys them: `user@domain` without scheme (sip: and sips:
 * name the same AOR), the user unescaped and case kept, the domain lower-cased — the subscriber store's
 * own normalisation, so that the digest username, the AOR and the credentials' key agree.
 */
import { InvalidInputError } from '../store/errors.js';
import { normalizeDomain, normalizeUsername } from '../store/subscribers/names.js';
import { formatHost } from '../sip/grammar/host.js';
import { unescapeText } from '../sip/grammar/percent.js';
import { isSipUri, parseUri, type Uri } from '../sip/uri.js';

export interface Aor {
  readonly user: string;
  readonly domain: string;
  /** `user@domain`: the LocationStore key. */
  readonly key: string;
}

/** The AOR a SIP/SIPS URI names; undefined for another scheme, no user part, or a name no account can have. */
export function aorOfUri(uri: Uri): Aor | undefined {
  if (!isSipUri(uri) || uri.user === undefined) return undefined;
  try {
    const user = normalizeUsername(unescapeText(uri.user));
    const domain = normalizeDomain(formatHost(uri.host));
    return { user, domain, key: `${user}@${domain}` };
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined;
    throw error;
  }
}

/** `alice@Example.com`, `sip:alice@example.com` or `<sips:alice@example.com>` as the AOR key; undefined when invalid. */
export function normalizeAor(text: string): string | undefined {
  const bare = text.trim().replace(/^<(.*)>$/, '$1');
  const uri = parseUri(/^sips?:/i.test(bare) ? bare : `sip:${bare}`);
  return uri === undefined ? undefined : aorOfUri(uri)?.key;
}

/** Whether a host (a Request-URI's, a To URI's) is one of the served domains (given lower-cased). */
export function isServedHost(host: string, domains: ReadonlySet<string>): boolean {
  return domains.has(formatHost(host).toLowerCase());
}
