/** A SIP WebSocket client for the transport tests: records the frames it gets and how its connection ends. */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import type { SipMessage } from '../../../src/sip/message/message.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';

export interface Frame {
  readonly data: Buffer;
  readonly binary: boolean;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export class WebSocketPeer {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  readonly received: SipMessage[] = [];
  localPort = 0;
  closed = false;
  closeCode = 0;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('upgrade', (response: IncomingMessage) => {
      this.localPort = response.socket.localPort ?? 0;
    });
    socket.on('message', (raw: RawData, binary: boolean) => {
      const data = toBuffer(raw);
      this.frames.push({ data, binary });
      const result = parseDatagram(data);
      if (result.kind === 'message') this.received.push(result.message);
    });
    socket.on('error', () => undefined);
    socket.on('close', (code: number) => {
      this.closed = true;
      this.closeCode = code;
    });
  }

  /** Opens a connection offering `protocols` (default `sip`); rejects when the handshake fails. */
  static async connect(
    url: string,
    options: ClientOptions = {},
    protocols: readonly string[] = ['sip'],
  ): Promise<WebSocketPeer> {
    const peer = new WebSocketPeer(new WebSocket(url, [...protocols], options));
    await once(peer.socket, 'open');
    return peer;
  }

  /** The HTTP status of a refused handshake (0 when it was accepted). */
  static refusal(url: string, protocols: readonly string[], options: ClientOptions = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, [...protocols], options);
      socket.on('unexpected-response', (_request, response: IncomingMessage) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => {
        resolve(0);
        socket.terminate();
      });
      socket.on('error', reject);
    });
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  close(): void {
    this.socket.terminate();
  }
}
