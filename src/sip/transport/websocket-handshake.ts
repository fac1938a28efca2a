/**
 * The parts of a WebSocket opening handshake (RFC 6455 §4) that decide whether it is for SIP (RFC 7118 §4:
 * the client offers the `sip` subprotocol) and how an upgrade we will not take is refused: an HTTP error on
 * the raw socket, then a close, so that a stray or hostile client costs nothing else.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export const SIP_SUBPROTOCOL = 'sip';

/** Whether the request offers `sip` in Sec-WebSocket-Protocol (tokens compare exactly, RFC 6455 §11.3.4). */
export function offersSip(request: IncomingMessage): boolean {
  const offered = request.headers['sec-websocket-protocol'];
  if (offered === undefined) return false;
  return offered.split(',').some((token) => token.trim() === SIP_SUBPROTOCOL);
}

/** For ws's handleProtocols: `sip` when offered, else no subprotocol (offersSip has refused that already). */
export function selectSip(protocols: ReadonlySet<string>): string | false {
  return protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false;
}

/** Writes an HTTP error response on an upgrade's socket and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, extraHeaders: readonly string[] = []): void {
  socket.on('error', () => {
    socket.destroy();
  });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Length: 0',
    ...extraHeaders,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n`, () => {
    socket.destroy();
  });
}
