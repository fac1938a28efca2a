/**
 * Where a request goes next (RFC 3261 §16.6 step 7, §8.1.2): to the top Route if there is one, else to the
 * Request-URI; the transport from the URI's `transport` parameter (`sips:` means TLS), the port from the URI or
 * the transport's default. DNS SRV/NAPTR (RFC 3263) is not done: a host name is resolved by the transport (A).
 * A URI that carries our `alias` (see contact-alias.ts) goes to the address recorded there instead.
 */
import type { SipRequest } from '../sip/message/message.js';
import { getNameAddrs } from '../sip/headers/name-addr.js';
import { isSipUri, type SipUri } from '../sip/uri.js';
import type { SendTarget, TransportProtocol } from '../sip/transport/types.js';
import { defaultPort } from '../sip/transport/response-target.js';
import { aliasTarget } from './contact-alias.js';

const TRANSPORTS: ReadonlyMap<string, TransportProtocol> = new Map([
  ['udp', 'udp'],
  ['tcp', 'tcp'],
  ['tls', 'tls'],
  ['ws', 'ws'],
  ['wss', 'wss'],
]);

/** undefined for a transport we do not have (e.g. sctp). */
export function uriTarget(uri: SipUri): SendTarget | undefined {
  const alias = aliasTarget(uri);
  if (alias !== undefined) return alias;
  const named = uri.transport;
  const transport = named === undefined ? (uri.secure ? 'tls' : 'udp') : TRANSPORTS.get(named);
  if (transport === undefined) return undefined;
  const secured = uri.secure && transport === 'tcp' ? 'tls' : transport;
  return { transport: secured, host: uri.host, port: uri.port ?? defaultPort(secured) };
}

/** The next hop of a request about to be forwarded; undefined when it names nothing we can reach. */
export function nextHop(request: SipRequest): SendTarget | undefined {
  const top = getNameAddrs(request.headers, 'Route')?.[0];
  const uri = top?.uri ?? request.uri;
  return isSipUri(uri) ? uriTarget(uri) : undefined;
}
