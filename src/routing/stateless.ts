/**
 * What the proxy forwards without a transaction (RFC 3261 §16.11): the ACK of a 2xx (end to end, after
 * route processing) and responses that match no client transaction. The ACK's Via branch is derived from the
 * incoming one, so a retransmitted ACK leaves with the same branch (§16.11).
 */
import { createHash } from 'node:crypto';
import { getTopVia } from '../sip/headers/via.js';
import { BRANCH_MAGIC_COOKIE } from '../sip/headers/via.js';
import type { SipRequest, SipResponse } from '../sip/message/message.js';
import { popVia, pushVia } from '../sip/message/via-stack.js';
import type { TransactionTransport } from '../sip/transaction/types.js';
import { isSipUri } from '../sip/uri.js';
import { withoutAlias } from './contact-alias.js';
import type { LocalAddresses } from './local-addresses.js';
import { nextHop } from './next-hop.js';
import { ourVia } from './proxy/outgoing-request.js';

/** Forwards an ACK whose routes have been consumed; false when it has nowhere to go. */
export async function forwardStatelessly(
  request: SipRequest,
  transport: TransactionTransport,
  local: LocalAddresses,
): Promise<boolean> {
  const target = nextHop(request);
  if (target === undefined) return false;
  const point = local.pointFor(target.transport);
  if (point === undefined) return false;
  if (isSipUri(request.uri)) request.uri = withoutAlias(request.uri);
  pushVia(request.headers, ourVia(point, statelessBranch(request)));
  await transport.send(request, target);
  return true;
}

/** A response for no transaction of ours: if its top Via is ours, pop it and send it on per the next Via. */
export async function forwardStrayResponse(
  response: SipResponse,
  transport: TransactionTransport,
  local: LocalAddresses,
): Promise<boolean> {
  const via = getTopVia(response.headers);
  if (via === undefined || !local.isListeningAddress(via.host, via.port)) return false;
  popVia(response.headers);
  if (getTopVia(response.headers) === undefined) return false;
  await transport.sendResponse(response);
  return true;
}

function statelessBranch(request: SipRequest): string {
  const incoming = getTopVia(request.headers)?.branch ?? request.headers.get('Call-ID') ?? '';
  const hash = createHash('sha256').update(incoming).update(request.method).digest('base64url');
  return `${BRANCH_MAGIC_COOKIE}${hash.slice(0, 22)}`;
}
