/**
 * URIs as SIP carries them: SIP/SIPS URIs parsed into parts (uri/sip-uri.ts), every other absolute URI
 * (tel:, urn:, ...) kept opaque (uri/absolute-uri.ts), and RFC 3261 §19.1.4 comparison (uri/compare.ts).
 */
import { AbsoluteUri } from './uri/absolute-uri.js';
import { SipUri, sipSchemeOf } from './uri/sip-uri.js';

export { AbsoluteUri, uriScheme } from './uri/absolute-uri.js';
export { uriEquals } from './uri/compare.js';
export {
  formatSipUri,
  SipUri,
  type SipScheme,
  type SipUriParts,
  type UriHeaders,
  type UriParams,
} from './uri/sip-uri.js';

export type Uri = SipUri | AbsoluteUri;

/** A SIP/SIPS URI or any other absolute URI; undefined when malformed. */
export function parseUri(text: string): Uri | undefined {
  return sipSchemeOf(text) === undefined ? AbsoluteUri.parse(text) : SipUri.parse(text);
}

export function isSipUri(uri: Uri): uri is SipUri {
  return uri instanceof SipUri;
}
