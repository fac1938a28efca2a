/**
 * The copy of a request for one branch (RFC 3261 §16.6 steps 1-8): new Request-URI, Path as Route, our
 * Record-Route when asked, and our Via with a fresh branch; plus where to send it.
 */
import { generateBranch } from '../../sip/message/ids.js';
import { SipRequest } from '../../sip/message/message.js';
import { pushVia } from '../../sip/message/via-stack.js';
import { formatHostPort } from '../../sip/grammar/host.js';
import type { SendTarget, TransportProtocol } from '../../sip/transport/types.js';
import { isSipUri } from '../../sip/uri.js';
import { withoutAlias } from '../contact-alias.js';
import type { ListeningPoint, LocalAddresses } from '../local-addresses.js';
import { nextHop } from '../next-hop.js';
import { addRecordRoute } from '../record-route.js';
import type { NetworkTarget } from './forward-target.js';

export interface OutgoingRequest {
  readonly request: SipRequest;
  readonly target: SendTarget;
}

export interface OutgoingOptions {
  /** Add Record-Route, with the point the request came in on. */
  readonly recordRoute?: ListeningPoint | undefined;
  /** Where to send, already located (RFC 3263), instead of the flow or the next hop as written. */
  readonly sendTarget?: SendTarget | undefined;
}

/** undefined when the target cannot be reached from here (no such transport, unusable URI). */
export function outgoingRequest(
  base: SipRequest,
  target: NetworkTarget,
  local: LocalAddresses,
  options: OutgoingOptions = {},
): OutgoingRequest | undefined {
  const request = new SipRequest({
    method: base.method,
    uri: target.uri,
    headers: base.headers.clone(),
    body: base.body,
  });
  const path = target.path ?? [];
  for (let i = path.length - 1; i >= 0; i--) request.headers.prepend('Route', path[i] ?? '');
  const sendTarget =
    options.sendTarget ?? (path.length === 0 && target.flow !== undefined ? target.flow : nextHop(request));
  // The alias has done its job (nextHop read it); the user agent never saw it.
  if (isSipUri(request.uri)) request.uri = withoutAlias(request.uri);
  if (sendTarget === undefined) return undefined;
  const outbound = local.pointFor(sendTarget.transport);
  if (outbound === undefined) return undefined;
  if (options.recordRoute !== undefined) addRecordRoute(request, options.recordRoute, outbound);
  pushVia(request.headers, ourVia(outbound));
  return { request, target: sendTarget };
}

export function ourVia(point: ListeningPoint, branch: string = generateBranch()): string {
  return `SIP/2.0/${viaTransport(point.transport)} ${formatHostPort(point.host, point.port)};branch=${branch};rport`;
}

function viaTransport(transport: TransportProtocol): string {
  return transport.toUpperCase();
}
