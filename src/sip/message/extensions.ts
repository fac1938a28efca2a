/**
 * Option tags a request requires (RFC 3261 §8.2.2.3 Require at a UAS, RFC 3261 §16.3 Proxy-Require at a
 * proxy). A non-empty answer means the element responds 420 (Bad Extension) listing them in Unsupported.
 */
import type { SipHeaders } from '../headers/header-list.js';

/** The required option tags not in `supported`, in order (option tags are compared exactly). */
export function unsupportedOptionTags(
  headers: SipHeaders,
  header: 'Require' | 'Proxy-Require',
  supported: ReadonlySet<string>,
): string[] {
  return headers.values(header).filter((tag) => tag.length > 0 && !supported.has(tag));
}
