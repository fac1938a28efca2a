/**
 * ACK for a failure (RFC 3261 §17.1.1.3) and CANCEL (RFC 3261 §9.1) are built the same way from the INVITE
 * they follow: its Request-URI, Call-ID, From, CSeq number and Route set and only its top Via, so that they
 * reach the same next hop and match the same transaction there. Only To differs: the ACK takes the response's
 * (with its tag).
 */
import { firstListElement } from '../grammar/list.js';
import { formatCSeq, getCSeq } from '../headers/cseq.js';
import { SipHeaders } from '../headers/header-list.js';
import { SipRequest, type SipResponse } from '../message/message.js';

function sameHopRequest(invite: SipRequest, method: 'ACK' | 'CANCEL', to: string | undefined): SipRequest {
  const headers = new SipHeaders();
  const via = invite.headers.get('Via');
  if (via !== undefined) headers.add('Via', firstListElement(via));
  headers.add('Max-Forwards', '70');
  const from = invite.headers.get('From');
  if (from !== undefined) headers.add('From', from);
  if (to !== undefined) headers.add('To', to);
  const callId = invite.headers.get('Call-ID');
  if (callId !== undefined) headers.add('Call-ID', callId);
  const cseq = getCSeq(invite.headers);
  if (cseq !== undefined) headers.add('CSeq', formatCSeq({ seq: cseq.seq, method }));
  for (const route of invite.headers.getAll('Route')) headers.add('Route', route);
  return new SipRequest({ method, uri: invite.uri, headers });
}

export function ackForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  return sameHopRequest(invite, 'ACK', response.headers.get('To') ?? invite.headers.get('To'));
}

export function cancelFor(invite: SipRequest): SipRequest {
  return sameHopRequest(invite, 'CANCEL', invite.headers.get('To'));
}
