/**
 * The headers every request and response needs for transaction matching (RFC 3261 §8.1.1, §17.1.3, §17.2.3):
 * a well-formed top Via and exactly one well-formed From, To, Call-ID and CSeq, whose method matches the
 * request's (RFC 4475 §3.1.2.17). Other headers are decoded only when someone asks for them. The decoded
 * values stay cached in the header fields for the layers above.
 */
import { isValidCallId } from '../headers/call-id.js';
import { getCSeq } from '../headers/cseq.js';
import type { SipHeaders } from '../headers/header-list.js';
import { getFrom, getTo } from '../headers/name-addr.js';
import { getTopVia } from '../headers/via.js';

/** The reason phrase of the 400 to answer, or undefined when the headers are usable. */
export function checkTransactionHeaders(headers: SipHeaders, method: string | undefined): string | undefined {
  let via = 0;
  let from = 0;
  let to = 0;
  let callId: string | undefined;
  let callIds = 0;
  let cseq = 0;
  for (const field of headers.fields()) {
    switch (field.key) {
      case 'via':
        via++;
        break;
      case 'from':
        from++;
        break;
      case 'to':
        to++;
        break;
      case 'call-id':
        callIds++;
        callId = field.value;
        break;
      case 'cseq':
        cseq++;
        break;
      default:
        break;
    }
  }
  if (via === 0) return 'Missing Via Header';
  const single = checkSingle('From', from) ?? checkSingle('To', to) ?? checkSingle('Call-ID', callIds);
  if (single !== undefined) return single;
  const cseqCount = checkSingle('CSeq', cseq);
  if (cseqCount !== undefined) return cseqCount;
  if (getTopVia(headers) === undefined) return 'Malformed Via Header';
  if (getFrom(headers) === undefined) return 'Malformed From Header';
  if (getTo(headers) === undefined) return 'Malformed To Header';
  if (callId === undefined || !isValidCallId(callId)) return 'Malformed Call-ID Header';
  const parsed = getCSeq(headers);
  if (parsed === undefined) return 'Malformed CSeq Header';
  if (method !== undefined && parsed.method !== method) return 'CSeq Method Mismatch';
  return undefined;
}

function checkSingle(name: string, count: number): string | undefined {
  if (count === 0) return `Missing ${name} Header`;
  return count > 1 ? `Multiple ${name} Headers` : undefined;
}
