/** Opening a session's connection to its next hop (spec §3.5): TLS for msrps, TCP for msrp. */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureContext } from 'node:tls';
import { DEFAULT_MSRP_PORT, type MsrpUri } from '../uri.js';

export interface NextHopOptions {
  /** The relay's client credentials and trusted CAs. */
  readonly secureContext: SecureContext;
  readonly verifyPeer: boolean;
}

/** The socket, and the event that says it is ready for MSRP. A missing port means 2855 (msrprelay hung). */
export function openNextHop(next: MsrpUri, options: NextHopOptions): { socket: Socket; readyEvent: string } {
  const port = next.port ?? DEFAULT_MSRP_PORT;
  if (!next.secure) return { socket: netConnect({ host: next.host, port }), readyEvent: 'connect' };
  const socket = tlsConnect({
    host: next.host,
    port,
    ...(isIP(next.host) === 0 ? { servername: next.host } : {}),
    secureContext: options.secureContext,
    rejectUnauthorized: options.verifyPeer,
  });
  return { socket, readyEvent: 'secureConnect' };
}
