/**
 * What the proxy forwards without a transaction (RFC 3261 §16.11): the ACK of a 2xx (end to end, after
 * route processing) and responses that match no client transaction. The ACK's Via branch is derived from the
 * incoming one, so a retransmitted ACK leaves with the same branch (RFC 3261 §16.11). A next hop named by host name is
 * located as the dialog's other requests are (RFC 3263), and the ACK goes to the first target: an ACK has no
 * response to fail over on.
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
import type { ServerLocator } from '../sip/dns/locator.js';
import type { SendTarget } from '../sip/transport/types.js';
import { needsLocating, nextHop, nextHopUri } from './next-hop.js';
import { ourVia } from './proxy/outgoing-request.js';

/** Forwards an ACK whose routes have been consumed; false when it has nowhere to go. */
export async function forwardStatelessly(
  request: SipRequest,
  transport: TransactionTransport,
  local: LocalAddresses,
  locator?: ServerLocator,
): Promise<boolean> {
  const target = await ackTarget(request, local, locator);
  if (target === undefined) return false;
  const point = local.pointFor(target.transport);
  if (point === undefined) return false;
  if (isSipUri(request.uri)) request.uri = withoutAlias(request.uri);
  pushVia(request.headers, ourVia(point, statelessBranch(request)));
  await transport.send(request, target);
  return true;
}

async function ackTarget(
  request: SipRequest,
  local: LocalAddresses,
  locator: ServerLocator | undefined,
): Promise<SendTarget | undefined> {
  const hop = nextHopUri(request.headers, request.uri);
  if (locator === undefined || !needsLocating(hop)) return nextHop(request);
  const transports = (['udp', 'tcp', 'tls'] as const).filter((t) => local.pointFor(t) !== undefined);
  return (await locator.locate(hop, transports))[0];
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
