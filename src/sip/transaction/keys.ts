/**
 * Transaction matching (RFC 3261 §17.1.3, §17.2.3). A request whose top Via branch has the magic cookie
 * matches by branch, sent-by and method (ACK matches its INVITE); an RFC 2543 request (no cookie) by the
 * fields a retransmission shares. A response matches the client transaction of its top Via branch and CSeq
 * method. Keys are opaque strings.
 */
import { getCSeq } from '../headers/cseq.js';
import { getFrom } from '../headers/name-addr.js';
import { getTopVia } from '../headers/via.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { isRfc3261Branch } from '../headers/via.js';

/** The method of the transaction a request belongs to: an ACK belongs to the INVITE it acknowledges. */
function transactionMethod(method: string): string {
  return method === 'ACK' ? 'INVITE' : method;
}

/**
 * The key of the server transaction `request` belongs to, or of the transaction with `method` instead of the
 * request's own (to find the INVITE a CANCEL cancels, RFC 3261 §9.2). undefined without a top Via or CSeq.
 */
export function serverTransactionKey(
  request: SipRequest,
  method: string = request.method,
): string | undefined {
  const via = getTopVia(request.headers);
  if (via === undefined) return undefined;
  const sentBy = `${via.host.toLowerCase()}:${String(via.port ?? '')}`;
  const matchMethod = transactionMethod(method);
  if (isRfc3261Branch(via.branch)) return `${via.branch ?? ''}|${sentBy}|${matchMethod}`;
  const cseq = getCSeq(request.headers);
  if (cseq === undefined) return undefined;
  const fromTag = getFrom(request.headers)?.tag ?? '';
  const callId = request.headers.get('Call-ID') ?? '';
  return `2543|${callId}|${String(cseq.seq)}|${fromTag}|${via.branch ?? ''}|${sentBy}|${matchMethod}`;
}

/** The key a client transaction registers under, from the request it sends. */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/** The key of the client transaction a response belongs to; undefined when it cannot belong to one. */
export function responseTransactionKey(response: SipResponse): string | undefined {
  const branch = getTopVia(response.headers)?.branch;
  const cseq = getCSeq(response.headers);
  if (branch === undefined || cseq === undefined) return undefined;
  return clientTransactionKey(branch, cseq.method);
}
