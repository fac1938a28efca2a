/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): over the transport its request came on; for a
 * stream transport on the connection the request came on when it is still open, else to the address it came
 * from; for UDP to `received` (or the sent-by host) and `rport` (or the sent-by port, or the default port).
 * WS and WSS (RFC 7118 §5) resolve like a stream transport, but the WebSocket transport only ever uses an
 * open connection: the address is a key into the connection table, never a place to connect to.
 * Without the request's source (a stray response forwarded statelessly, RFC 3261 §16.11) the top Via's
 * transport decides.
 *
 * Why the transport the request came on, not the Via's sent-protocol: RFC 3261 §18.2.2 picks the procedure
 * by the sent-protocol because RFC 3261 §18.1.1 has the client write the transport it actually uses into its
 * Via; its rules for a reliable sent-protocol all assume the request came on a connection ("the existing
 * connection to the source of the original request"). A request that came over UDP with `SIP/2.0/TCP` in
 * its Via has no such connection: the Via contradicts what we saw, and, as RFC 3261 §18.2.1 (`received`) and
 * RFC 3581 (`rport`) do for the address, what we saw wins. Following the Via would have us open a TCP
 * connection to any address and port a spoofable datagram names (a connection-making reflector, and a way to
 * fill our table), so such a response goes back over UDP, to the source per RFC 3581 §4 when the client asked
 * with rport, else to `received` and the sent-by port (RFC 3261 §18.2.2, unreliable). Likewise a request that
 * came on a connection is answered on it whatever its Via says. Kamailio does the same (it replies over the
 * transport the request was received on unless told `reply_to_via`).
 */
import { getTopVia } from '../headers/via.js';
import type { SipResponse } from '../message/message.js';
import type { MessageSource, SendTarget, TransportProtocol } from './types.js';

const VIA_TRANSPORTS: ReadonlyMap<string, TransportProtocol> = new Map([
  ['UDP', 'udp'],
  ['TCP', 'tcp'],
  ['TLS', 'tls'],
  ['WS', 'ws'],
  ['WSS', 'wss'],
]);

export function defaultPort(protocol: TransportProtocol): number {
  switch (protocol) {
    case 'tls':
      return 5061;
    // RFC 7118 names no SIP port; a WebSocket URI's default (RFC 6455 §3) is the best guess.
    case 'ws':
      return 80;
    case 'wss':
      return 443;
    default:
      return 5060;
  }
}

/** undefined when the response has no usable top Via or names a transport we do not have. */
export function responseTarget(response: SipResponse, source?: MessageSource): SendTarget | undefined {
  const via = getTopVia(response.headers);
  if (via === undefined) return undefined;
  const named = VIA_TRANSPORTS.get(via.transport);
  if (named === undefined) return undefined;
  // A client behind a TLS-terminating proxy says WSS on a ws connection (or the reverse): the same rule
  // puts a WebSocket response back on the connection its request came on.
  const transport = source?.transport ?? named;
  const host = via.received ?? via.host;
  const port = typeof via.rport === 'number' ? via.rport : (via.port ?? defaultPort(transport));
  return { transport, host, port, connectionId: source?.connectionId };
}
