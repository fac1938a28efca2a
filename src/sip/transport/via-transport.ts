/** Rewrites the transport of the top Via, for a request moved from UDP to TCP (RFC 3261 §18.1.1). */
import { restOfList } from '../grammar/list.js';
import type { SipHeaders } from '../headers/header-list.js';
import { formatVia, getTopVia } from '../headers/via.js';

/** Returns the previous top Via field value (to restore it), or undefined when there is no top Via. */
export function setTopViaTransport(headers: SipHeaders, transport: string): string | undefined {
  const via = getTopVia(headers);
  const first = headers.get('Via');
  if (via === undefined || first === undefined) return undefined;
  const rewritten = formatVia({ ...via, transport });
  const rest = restOfList(first);
  headers.setFirst('Via', rest === undefined ? rewritten : `${rewritten}, ${rest}`);
  return first;
}
