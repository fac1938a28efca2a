/**
 * host [ ":" port ] (RFC 3261 §25.1): hostname, IPv4address or IPv6reference. Hosts are kept without the
 * IPv6 brackets (the form a socket wants); `formatHost` puts them back.
 */
import { isIPv6 } from 'node:net';
import { isDigit, isHostChar } from './chars.js';

export interface ScannedHostPort {
  readonly host: string;
  readonly port: number | undefined;
  /** Index just after the host (and port). */
  readonly end: number;
}

const LBRACKET = 0x5b;
const COLON = 0x3a;

/** Index after the host at `start`, with the host text (brackets removed); undefined when there is none. */
export function scanHost(text: string, start: number): { host: string; end: number } | undefined {
  if (text.charCodeAt(start) === LBRACKET) {
    const close = text.indexOf(']', start + 1);
    if (close === -1) return undefined;
    const address = text.slice(start + 1, close);
    return isIPv6(address) ? { host: address, end: close + 1 } : undefined;
  }
  let i = start;
  while (isHostChar(text.charCodeAt(i))) i++;
  if (i === start) return undefined;
  const host = text.slice(start, i);
  // A label may not start or end with "-"; a trailing "." (fully qualified) is allowed.
  if (host.startsWith('-') || host.startsWith('.') || host.includes('..')) return undefined;
  return { host, end: i };
}

/** port = 1*DIGIT, at most 65535. Returns undefined when `text[start..]` is not a valid port. */
export function scanPort(text: string, start: number): { port: number; end: number } | undefined {
  let i = start;
  let port = 0;
  while (isDigit(text.charCodeAt(i))) {
    port = port * 10 + text.charCodeAt(i) - 0x30;
    if (port > 65535) return undefined;
    i++;
  }
  return i === start ? undefined : { port, end: i };
}

export function scanHostPort(text: string, start: number): ScannedHostPort | undefined {
  const host = scanHost(text, start);
  if (host === undefined) return undefined;
  if (text.charCodeAt(host.end) !== COLON) return { host: host.host, port: undefined, end: host.end };
  const port = scanPort(text, host.end + 1);
  return port === undefined ? undefined : { host: host.host, port: port.port, end: port.end };
}

/** The host as written in a URI or Via: IPv6 addresses in brackets. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function formatHostPort(host: string, port: number | undefined): string {
  return port === undefined ? formatHost(host) : `${formatHost(host)}:${port}`;
}

/** Hosts compared as RFC 3261 §19.1.4 wants: case-insensitively, with IPv6 addresses in canonical form. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  if (!lower.includes(':')) return lower;
  try {
    return new URL(`http://[${lower}]/`).hostname.slice(1, -1);
  } catch {
    return lower;
  }
}
