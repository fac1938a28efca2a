/**
 * The account named in an HTTP path (sylk spec §8.24). missive keys every store by the registrar's AOR: the
 * `sip:`/`sips:` scheme dropped, the user part unescaped with its case kept (RFC 3261 §19.1.4: the user part
 * is case-sensitive), the domain lower-cased — the same key the subscriber store, the location service and
 * the token store use. The reference lower-cases the whole account for the history query and the reply;
 * for the usual lower-case user parts both agree.
 */
import { normalizeAor } from '../registrar/aor.js';

/** The store key of the account in a path segment (already percent-decoded), or undefined when it is none. */
export function accountOfPath(segment: string): string | undefined {
  if (segment.length === 0 || segment.length > 256) return undefined;
  return normalizeAor(segment);
}
