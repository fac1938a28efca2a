/**
 * Where a request goes next (RFC 3261 §16.6 step 7, §8.1.2): to the top Route if there is one, else to the
 * Request-URI; the transport from the URI's `transport` parameter (`sips:` means TLS), the port from the URI or
 * the transport's default. A URI that carries our `alias` (see contact-alias.ts) goes to the address recorded
 * there instead. A host name here is resolved by the transport (A); a proxied request to a host name is located
 * by DNS (RFC 3263, src/sip/dns) instead when `needsLocating` says so.
 */
import { isIP } from 'node:net';
import type { SipHeaders } from '../sip/headers/header-list.js';
import type { SipRequest } from '../sip/message/message.js';
import { getNameAddrs } from '../sip/headers/name-addr.js';
import { isSipUri, type SipUri, type Uri } from '../sip/uri.js';
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

/** The URI the next hop is found from: the top Route, else the Request-URI. */
export function nextHopUri(headers: SipHeaders, requestUri: Uri): Uri {
  return getNameAddrs(headers, 'Route')?.[0]?.uri ?? requestUri;
}

/** The next hop of a request about to be forwarded; undefined when it names nothing we can reach. */
export function nextHop(request: SipRequest): SendTarget | undefined {
  const uri = nextHopUri(request.headers, request.uri);
  return isSipUri(uri) ? uriTarget(uri) : undefined;
}

/**
 * Whether RFC 3263 applies to a next hop: a SIP URI with a host name, without our alias, over UDP, TCP or TLS
 * (a WebSocket target is only ever an open connection; a transport we lack stays unreachable as before).
 */
export function needsLocating(uri: Uri): uri is SipUri {
  if (!isSipUri(uri) || isIP(uri.host) !== 0 || aliasTarget(uri) !== undefined) return false;
  const transport = uri.transport;
  return transport === undefined || transport === 'udp' || transport === 'tcp' || transport === 'tls';
}
