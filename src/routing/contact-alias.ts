/**
 * Reaching a user agent that cannot be reached at its Contact address: a WebSocket client (its Contact host
 * is `*.invalid`), or one behind NAT. When a request or response comes straight from the user agent and its
 * Contact does not name the address it came from, the Contact URI gets `;alias=host~port~transport` (as
 * Kamailio's nathelper does). In-dialog requests then carry the alias in their Request-URI; the proxy sends
 * them to that address (over the open connection for stream transports) and removes the parameter.
 */
import { parseNameAddr, formatNameAddr } from '../sip/headers/name-addr.js';
import type { SipHeaders } from '../sip/headers/header-list.js';
import { normalizeHost } from '../sip/grammar/host.js';
import { isSipUri, type SipUri } from '../sip/uri.js';
import type { MessageSource, SendTarget, TransportProtocol } from '../sip/transport/types.js';
import { defaultPort } from '../sip/transport/response-target.js';

const ALIAS = 'alias';
const TRANSPORTS: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls', 'ws', 'wss']);

function contactTransport(uri: SipUri): string {
  return uri.transport ?? (uri.secure ? 'tls' : 'udp');
}

function reachable(uri: SipUri, source: MessageSource): boolean {
  return (
    normalizeHost(uri.host) === normalizeHost(source.host) &&
    (uri.port ?? defaultPort(source.transport)) === source.port &&
    contactTransport(uri) === source.transport
  );
}

/** Adds the alias to the single Contact of `headers` when it does not lead back to `source`. */
export function aliasContact(headers: SipHeaders, source: MessageSource): void {
  const value = headers.get('Contact');
  if (value === undefined || headers.count('Contact') !== 1 || value.includes(',')) return;
  const contact = parseNameAddr(value);
  if (contact === undefined || !isSipUri(contact.uri) || contact.uri.hasParam(ALIAS)) return;
  if (reachable(contact.uri, source)) return;
  headers.setFirst('Contact', formatNameAddr({ ...contact, uri: withAlias(contact.uri, source) }));
}

/** `uri` with our alias for `target` (replacing any it had). */
export function withAlias(uri: SipUri, target: SendTarget): SipUri {
  const params = new Map(uri.params);
  params.set(ALIAS, `${target.host}~${String(target.port)}~${target.transport}`);
  return uri.with({ params });
}

/** The address an aliased URI stands for. */
export function aliasTarget(uri: SipUri): SendTarget | undefined {
  const alias = uri.param(ALIAS);
  if (typeof alias !== 'string') return undefined;
  const [host, port, transport] = alias.split('~');
  const portNumber = Number(port);
  if (host === undefined || host === '' || transport === undefined || !TRANSPORTS.has(transport))
    return undefined;
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return undefined;
  return { transport: transport as TransportProtocol, host, port: portNumber };
}

/** The URI without our alias (the user agent never saw it). */
export function withoutAlias(uri: SipUri): SipUri {
  if (!uri.hasParam(ALIAS)) return uri;
  const params = new Map(uri.params);
  params.delete(ALIAS);
  return uri.with({ params });
}
