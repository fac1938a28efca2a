/** Peers for the transport tests: raw UDP and TCP clients that frame what they receive, and a test certificate. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { SipMessage } from '../../../src/sip/message/message.js';
import type { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { MessageSource } from '../../../src/sip/transport/types.js';
import { withTimeout } from '../../support/wait.js';
import { createSelfSignedCertificate } from '../../../src/tls/self-signed.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import { SipStreamParser } from '../../../src/sip/parser/stream.js';

export interface Certificate {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** A self-signed certificate for 127.0.0.1. */
export async function selfSignedCertificate(): Promise<Certificate> {
  const pems = await createSelfSignedCertificate({
    commonName: '127.0.0.1',
    ipAddresses: ['127.0.0.1'],
    days: 1,
    keyType: 'ec',
  });
  return { key: Buffer.from(pems.key), cert: Buffer.from(pems.cert) };
}

export function request(options: { via: string; method?: string; body?: string; extra?: string }): string {
  const method = options.method ?? 'MESSAGE';
  const body = options.body ?? '';
  return (
    `${method} sip:bob@example.com SIP/2.0\r\n` +
    `Via: ${options.via}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:alice@example.com>;tag=a1\r\n' +
    'To: <sip:bob@example.com>\r\n' +
    'Call-ID: call-1@example.com\r\n' +
    `CSeq: 1 ${method}\r\n` +
    (options.extra ?? '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The next message `layer` passes up, with where it came from; rejects after 5 s. */
export function nextMessage(layer: TransportLayer): Promise<[SipMessage, MessageSource]> {
  return withTimeout(
    once(layer, 'message') as Promise<[SipMessage, MessageSource]>,
    5000,
    'a message from the transport layer',
  );
}

export function statusOf(message: SipMessage | undefined): number {
  return message?.kind === 'response' ? message.status : 0;
}

export class UdpPeer {
  readonly socket: UdpSocket = createSocket('udp4');
  readonly received: SipMessage[] = [];

  async bind(): Promise<number> {
    this.socket.on('message', (packet) => {
      const result = parseDatagram(packet);
      if (result.kind === 'message') this.received.push(result.message);
    });
    this.socket.bind(0, '127.0.0.1');
    await once(this.socket, 'listening');
    return this.socket.address().port;
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text), port, '127.0.0.1');
  }

  close(): void {
    this.socket.close();
  }
}

/** A TCP client that frames what it receives and records pongs and the connection's end. */
export class StreamPeer {
  readonly received: SipMessage[] = [];
  pongs = 0;
  closed = false;
  readonly socket: Socket;
  readonly #parser = new SipStreamParser({
    onMessage: (message) => {
      message.body = Buffer.from(message.body);
      this.received.push(message);
    },
    onPing: () => undefined,
    onError: () => undefined,
  });

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      // A lone CRLF from the server is a pong (RFC 5626 §3.5.1); the stream parser skips it.
      if (chunk.toString() === '\r\n') this.pongs++;
      else this.#parser.feed(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async connect(port: number): Promise<StreamPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new StreamPeer(socket);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** One byte per write, each in its own turn of the event loop. */
  async writeBytewise(text: string): Promise<void> {
    for (const byte of Buffer.from(text)) {
      this.socket.write(Buffer.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
