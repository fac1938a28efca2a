/** Opening a session's connection to its next hop (relay spec §3.5): TLS for msrps, TCP for msrp. */
import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureContext } from 'node:tls';
import { DEFAULT_MSRP_PORT, type MsrpUri } from '../uri.js';
import type { TlsSessionCache } from './tls-sessions.js';

export interface NextHopOptions {
  /** The relay's client credentials and trusted CAs. */
  readonly secureContext: SecureContext;
  readonly verifyPeer: boolean;
  /** Sessions to resume; made for this secure context (a reload that changes it makes a new cache). */
  readonly tlsSessions: TlsSessionCache;
  /** Where a plain TCP connection reads into, instead of 'data' events (net.connect's `onread`). */
  readonly readInto?: OnReadOpts;
}

/** The socket, and the event that says it is ready for MSRP. A missing port means 2855 (msrprelay hung). */
export function openNextHop(next: MsrpUri, options: NextHopOptions): { socket: Socket; readyEvent: string } {
  const port = next.port ?? DEFAULT_MSRP_PORT;
  if (!next.secure) {
    const { readInto } = options;
    const socket = netConnect({
      host: next.host,
      port,
      ...(readInto === undefined ? {} : { onread: readInto }),
    });
    return { socket, readyEvent: 'connect' };
  }
  const servername = isIP(next.host) === 0 ? next.host : undefined;
  const key = `${next.host}:${port}`; // the server name, when there is one, is the host
  const { tlsSessions } = options;
  const session = tlsSessions.get(key);
  const socket = tlsConnect({
    host: next.host,
    port,
    ...(servername === undefined ? {} : { servername }),
    secureContext: options.secureContext,
    rejectUnauthorized: options.verifyPeer,
    ...(session === undefined ? {} : { session }),
  });
  socket.on('session', (ticket: Buffer) => {
    tlsSessions.set(key, ticket);
  });
  socket.once('error', () => {
    tlsSessions.evict(key);
  });
  return { socket, readyEvent: 'secureConnect' };
}
