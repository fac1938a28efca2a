/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): over the top Via's transport; for a stream
 * transport on the connection the request came on when it is still open, else to the address it came from;
 * for UDP to `received` (or the sent-by host) and `rport` (or the sent-by port, or the default port).
 * Left out: `maddr` (multicast responses) and the DNS SRV procedures of RFC 3263 §5 for a sent-by name.
 */
import { getTopVia } from '../headers/via.js';
import type { SipResponse } from '../message/message.js';
import type { MessageSource, SendTarget, TransportProtocol } from './types.js';

const VIA_TRANSPORTS: ReadonlyMap<string, TransportProtocol> = new Map([
  ['UDP', 'udp'],
  ['TCP', 'tcp'],
  ['TLS', 'tls'],
]);

export function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' ? 5061 : 5060;
}

/** undefined when the response has no usable top Via or names a transport we do not have. */
export function responseTarget(response: SipResponse, source?: MessageSource): SendTarget | undefined {
  const via = getTopVia(response.headers);
  if (via === undefined) return undefined;
  const transport = VIA_TRANSPORTS.get(via.transport);
  if (transport === undefined) return undefined;
  const host = via.received ?? via.host;
  const port = typeof via.rport === 'number' ? via.rport : (via.port ?? defaultPort(transport));
  const connectionId = source?.transport === transport ? source.connectionId : undefined;
  return { transport, host, port, connectionId };
}
