/**
 * MSRP URIs (RFC 4975 §6). The original text is kept so that forwarded paths are byte-identical;
 * the parsed parts are used for comparison and for connecting to a next hop.
 */
import { equalsIgnoreCase } from './message.js';

export interface MsrpUri {
  /** The URI exactly as received, re-emitted verbatim. */
  readonly text: string;
  readonly secure: boolean;
  readonly user: string | undefined;
  /** Host without IPv6 brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly sessionId: string | undefined;
  readonly transport: string;
}

export const DEFAULT_MSRP_PORT = 2855;

// scheme://[userinfo@]host[:port][/session-id];transport[;param]*
const URI_PATTERN =
  /^(msrps?):\/\/(?:([^@/;\s]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,=-]+)(?::(\d{1,5}))?(?:\/([A-Za-z0-9\-._~+=/%]+))?;([A-Za-z0-9]+)((?:;[A-Za-z0-9\-._~!$&'()*+,=%:]+)*)$/i;

export function parseMsrpUri(text: string): MsrpUri | undefined {
  const match = URI_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, scheme = '', user, rawHost = '', portText, sessionId, transport = ''] = match;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && port > 65535) return undefined;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  return { text, secure: scheme.toLowerCase() === 'msrps', user, host, port, sessionId, transport };
}

/** Splits a To-Path/From-Path/Use-Path value into URIs; undefined when any element is not an MSRP URI. */
export function parseMsrpPath(value: string): MsrpUri[] | undefined {
  const parts = value.split(/[ \t]+/).filter((part) => part.length > 0);
  if (parts.length === 0) return undefined;
  const uris: MsrpUri[] = [];
  for (const part of parts) {
    const uri = parseMsrpUri(part);
    if (uri === undefined) return undefined;
    uris.push(uri);
  }
  return uris;
}

/**
 * RFC 4975 §6.1: scheme, host (case-insensitive), port, session-id (case-sensitive) and transport
 * (case-insensitive) must match; user part and parameters are ignored. An absent port never equals an
 * explicit one, as the RFC says and msrprelay does.
 */
export function msrpUriEquals(a: MsrpUri, b: MsrpUri): boolean {
  return (
    a.secure === b.secure &&
    a.port === b.port &&
    a.sessionId === b.sessionId &&
    equalsIgnoreCase(a.host, b.host) &&
    equalsIgnoreCase(a.transport, b.transport)
  );
}

export function formatPath(uris: readonly MsrpUri[]): string {
  return uris.map((uri) => uri.text).join(' ');
}

export function formatMsrpUri(parts: {
  secure: boolean;
  host: string;
  port?: number | undefined;
  sessionId?: string | undefined;
}): string {
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  const port = parts.port ? `:${parts.port}` : '';
  const session = parts.sessionId ? `/${parts.sessionId}` : '';
  return `${parts.secure ? 'msrps' : 'msrp'}://${host}${port}${session};tcp`;
}

export function makeMsrpUri(parts: Parameters<typeof formatMsrpUri>[0]): MsrpUri {
  const uri = parseMsrpUri(formatMsrpUri(parts));
  if (uri === undefined) throw new Error(`cannot form an MSRP URI for host ${parts.host}`);
  return uri;
}
