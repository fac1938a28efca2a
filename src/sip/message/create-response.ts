/** Building a response to a request, as a UAS or a stateless server does (RFC 3261 §8.2.6). */
import { SipHeaders } from '../headers/header-list.js';
import { getTo } from '../headers/name-addr.js';
import { SipResponse } from './message.js';
import { reasonPhrase } from './reason-phrases.js';

/** What a response is built from: a parsed request, or the partial request of a parse error. */
export interface ResponseSource {
  readonly headers: SipHeaders;
}

export interface CreateResponseOptions {
  /** Added to To when the request's To has no tag (RFC 3261 §8.2.6.2); never for 100 Trying. */
  readonly toTag?: string | undefined;
}

/**
 * A response with the request's Via fields (all, in order), From, To, Call-ID and CSeq copied as received,
 * Timestamp copied into a 100 (RFC 3261 §8.2.6.1), no body. The serializer writes Content-Length: 0.
 */
export function createResponse(
  request: ResponseSource,
  status: number,
  reason: string = reasonPhrase(status),
  options: CreateResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  for (const field of request.headers.fields()) {
    switch (field.key) {
      case 'via':
      case 'from':
      case 'call-id':
      case 'cseq':
        headers.appendUnchecked(field.name, field.value);
        break;
      case 'to':
        headers.appendUnchecked(field.name, withToTag(request.headers, field.value, status, options.toTag));
        break;
      case 'timestamp':
        if (status === 100) headers.appendUnchecked(field.name, field.value);
        break;
      default:
        break;
    }
  }
  return new SipResponse({ status, reason, headers });
}

function withToTag(requestHeaders: SipHeaders, to: string, status: number, tag: string | undefined): string {
  if (tag === undefined || status === 100) return to;
  const parsed = getTo(requestHeaders);
  // A To we cannot parse is copied unchanged: appending to it could make it worse.
  return parsed === undefined || parsed.tag !== undefined ? to : `${to};tag=${tag}`;
}
