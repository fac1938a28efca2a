/**
 * Which application takes a WebSocket upgrade on the web port, by subprotocol (RFC 6455 §1.9):
 * * `sylkRTC-2` on /webrtcgateway/ws: the WebSocket API (sylk spec §1.1, src/web/sylkrtc/); a server
 *   built without it refuses the handshake with 501 and a reason that says so.
 * * `sip` on any path: SIP over WebSocket (RFC 7118), the SIP transport's handleUpgrade.
 * * anything else on /webrtcgateway/ws: 406 `No compatible protocol specified` (sylk spec §1.1, §9.1).
 * * anything else elsewhere: 400.
 * A refused upgrade gets a complete HTTP response and its socket is closed.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export const WEBSOCKET_API_PATH = '/webrtcgateway/ws';
export const SYLKRTC_SUBPROTOCOL = 'sylkRTC-2';
const SIP_SUBPROTOCOL = 'sip';

/** Takes an upgrade and returns true, or returns false touching nothing (SIP: when `sip` is not offered). */
export interface UpgradeHandler {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export interface UpgradeRoutes {
  readonly sip?: UpgradeHandler | undefined;
  /** The sylkRTC-2 WebSocket API; undefined (a web port without the messaging service): refused with 501. */
  readonly api?: UpgradeHandler | undefined;
}

/** Subprotocol tokens offered in Sec-WebSocket-Protocol (compared exactly, RFC 6455 §11.3.4). */
export function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
}

export function routeUpgrade(
  routes: UpgradeRoutes,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const offered = offeredSubprotocols(request);
  const onApiPath = pathOf(request.url) === WEBSOCKET_API_PATH;
  if (onApiPath && offered.includes(SYLKRTC_SUBPROTOCOL)) {
    if (routes.api?.handleUpgrade(request, socket, head) === true) return;
    refuseWebUpgrade(socket, 501, 'sylkRTC-2 WebSocket API not served here');
    return;
  }
  if (offered.includes(SIP_SUBPROTOCOL) && routes.sip?.handleUpgrade(request, socket, head) === true) return;
  if (onApiPath) refuseWebUpgrade(socket, 406, 'No compatible protocol specified');
  else refuseWebUpgrade(socket, 400, 'No WebSocket application for this path and subprotocol');
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/** An HTTP error response on an upgrade's raw socket (reason phrase and body say why), then a close. */
export function refuseWebUpgrade(
  socket: Duplex,
  status: number,
  reason: string = STATUS_CODES[status] ?? 'Error',
): void {
  socket.on('error', () => {
    socket.destroy();
  });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${reason}\n`;
  const head = [
    `HTTP/1.1 ${status} ${reason}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => {
    socket.destroy();
  });
}
