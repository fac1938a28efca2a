/**
 * Staying on the path of a dialog (RFC 3261 §16.6 step 4, §16.4, RFC 3261 loose routing). The proxy records
 * one Record-Route entry when a request leaves on the transport it came on, two when it changes transport
 * (one facing each side, as Kamailio's double record-routing does), so that each side reaches it on its own
 * transport. On the way back it removes the Route entries that name it.
 */
import { formatHostPort } from '../sip/grammar/host.js';
import { getNameAddrs } from '../sip/headers/name-addr.js';
import { restOfList, splitList } from '../sip/grammar/list.js';
import type { SipRequest } from '../sip/message/message.js';
import { isSipUri, type SipUri } from '../sip/uri.js';
import type { ListeningPoint, LocalAddresses } from './local-addresses.js';

export function recordRouteValue(point: ListeningPoint): string {
  const transport = point.transport === 'udp' ? '' : `;transport=${point.transport}`;
  return `<sip:${formatHostPort(point.host, point.port)}${transport};lr>`;
}

/** Adds our Record-Route entries: the one facing the next hop on top. */
export function addRecordRoute(request: SipRequest, inbound: ListeningPoint, outbound: ListeningPoint): void {
  if (inbound !== outbound) request.headers.prepend('Record-Route', recordRouteValue(inbound));
  request.headers.prepend('Record-Route', recordRouteValue(outbound));
}

/**
 * RFC 3261 §16.4: a Request-URI we placed in a Record-Route (a strict router upstream) is replaced by the last Route;
 * then every top Route entry that names us is removed. Returns whether the request was routed to us.
 */
export function consumeOwnRoutes(request: SipRequest, local: LocalAddresses): boolean {
  let routedToUs = false;
  const uri = request.uri;
  if (isSipUri(uri) && uri.user === undefined && local.isListeningAddress(uri.host, uri.port, uri.secure)) {
    const routes = getNameAddrs(request.headers, 'Route');
    const last = routes?.[routes.length - 1];
    if (last !== undefined) {
      request.uri = last.uri;
      removeLastRoute(request);
      routedToUs = true;
    }
  }
  for (;;) {
    const top = getNameAddrs(request.headers, 'Route')?.[0];
    if (top === undefined || !isSipUri(top.uri) || !isOurRoute(top.uri, local)) break;
    removeTopRoute(request);
    routedToUs = true;
  }
  return routedToUs;
}

function isOurRoute(uri: SipUri, local: LocalAddresses): boolean {
  return (
    local.isListeningAddress(uri.host, uri.port, uri.secure) ||
    (uri.port === undefined && local.isLocalDomain(uri.host))
  );
}

function removeTopRoute(request: SipRequest): void {
  const first = request.headers.get('Route');
  if (first === undefined) return;
  const rest = restOfList(first);
  if (rest === undefined) request.headers.deleteFirst('Route');
  else request.headers.setFirst('Route', rest);
}

function removeLastRoute(request: SipRequest): void {
  const fields = request.headers.getAll('Route');
  const last = fields[fields.length - 1];
  if (last === undefined) return;
  const elements = splitList(last);
  request.headers.delete('Route');
  for (const field of fields.slice(0, -1)) request.headers.add('Route', field);
  if (elements.length > 1) request.headers.add('Route', elements.slice(0, -1).join(', '));
}
