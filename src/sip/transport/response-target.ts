/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): over the top Via's transport; for a stream
 * transport on the connection the request came on when it is still open, else to the address it came from;
 * for UDP to `received` (or the sent-by host) and `rport` (or the sent-by port, or the default port).
 * WS and WSS (RFC 7118 §5) resolve like a stream transport, but the WebSocket transport only ever uses an
 * open connection: the address is a key into the connection table, never a place to connect to.
 * Left out: `maddr` (multicast responses) and the DNS SRV procedures of RFC 3263 §5 for a sent-by name.
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
  const transport = VIA_TRANSPORTS.get(via.transport);
  if (transport === undefined) return undefined;
  const host = via.received ?? via.host;
  const port = typeof via.rport === 'number' ? via.rport : (via.port ?? defaultPort(transport));
  if (source !== undefined && isWebSocket(transport) && isWebSocket(source.transport)) {
    // A client behind a TLS-terminating proxy says WSS on a ws connection (or the reverse); either way a
    // WebSocket response can only go back on the connection its request came on.
    return { transport: source.transport, host, port, connectionId: source.connectionId };
  }
  const connectionId = source?.transport === transport ? source.connectionId : undefined;
  return { transport, host, port, connectionId };
}

function isWebSocket(protocol: TransportProtocol): boolean {
  return protocol === 'ws' || protocol === 'wss';
}
