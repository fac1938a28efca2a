/**
 * A registered SIP device over one UDP socket, for tests against `missive serve` that need to see what a
 * device receives: it REGISTERs (answering the digest challenge), sends MESSAGEs with any Content-Type and
 * body (answering the proxy's challenge), and answers every MESSAGE it receives 200, keeping it in `received`
 * in arrival order. Responses are matched by Call-ID and CSeq; parsing is missive's own datagram parser.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import { digestAuthorization, firstNonce } from '../../sip/auth/digest-client.js';

export interface Server {
  readonly host: string;
  readonly port: number;
}

export interface OutgoingMessage {
  /** The recipient user (same domain). */
  readonly to: string;
  readonly contentType: string;
  readonly body: string | Buffer;
}

interface Waiter {
  readonly callId: string;
  readonly cseq: number;
  readonly resolve: (response: SipResponse) => void;
}

const ANSWER_MS = 5000;

export class UdpSipDevice {
  #cseq = 1;
  readonly #waiters = new Set<Waiter>();
  readonly #arrivals: (() => void)[] = [];
  /** MESSAGEs this device received, in order. */
  readonly received: SipRequest[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly user: string,
    private readonly password: string,
    private readonly server: Server,
    private readonly domain: string,
  ) {
    socket.on('message', (packet) => {
      this.#onPacket(packet);
    });
  }

  static async open(
    user: string,
    password: string,
    server: Server,
    domain: string,
    host = '127.0.0.1',
  ): Promise<UdpSipDevice> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        resolve();
      });
    });
    return new UdpSipDevice(socket, user, password, server, domain);
  }

  get address(): string {
    const { address, port } = this.socket.address();
    return `${address}:${String(port)}`;
  }

  register(): Promise<SipResponse> {
    return this.#authenticated(
      'REGISTER',
      `sip:${this.domain}`,
      this.user,
      ['Expires: 300'],
      Buffer.alloc(0),
    );
  }

  message(message: OutgoingMessage): Promise<SipResponse> {
    const body = typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : message.body;
    return this.#authenticated(
      'MESSAGE',
      `sip:${message.to}@${this.domain}`,
      message.to,
      [`Content-Type: ${message.contentType}`],
      body,
    );
  }

  /** The MESSAGE received at `index` (0: the first), waiting for it up to `timeoutMs`. */
  async receivedAt(index: number, timeoutMs = ANSWER_MS): Promise<SipRequest> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length <= index) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.user}'s device got no MESSAGE #${String(index + 1)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#arrivals.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const request = this.received[index];
    if (request === undefined) throw new Error('unreachable');
    return request;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.close(() => {
        resolve();
      });
    });
  }

  /** Sends without credentials, then once with the answer to the challenge: the final response. */
  async #authenticated(
    method: 'REGISTER' | 'MESSAGE',
    uri: string,
    to: string,
    headers: readonly string[],
    body: Buffer,
  ): Promise<SipResponse> {
    const callId = randomBytes(8).toString('hex');
    const first = await this.#send(method, uri, to, callId, headers, body);
    if (first.status !== 401 && first.status !== 407) return first;
    const authorization = digestAuthorization({
      username: this.user,
      realm: this.domain,
      password: this.password,
      nonce: firstNonce(first),
      method,
      uri,
    });
    const name = first.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    return this.#send(method, uri, to, callId, [...headers, `${name}: ${authorization}`], body);
  }

  #send(
    method: string,
    uri: string,
    to: string,
    callId: string,
    headers: readonly string[],
    body: Buffer,
  ): Promise<SipResponse> {
    const cseq = this.#cseq++;
    const { address, port } = this.socket.address();
    const head = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${address}:${String(port)};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${this.domain}>;tag=${callId.slice(0, 8)}`,
      `To: <sip:${to}@${this.domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${String(cseq)} ${method}`,
      `Contact: <sip:${this.user}@${address}:${String(port)}>`,
      ...headers,
      `Content-Length: ${String(body.length)}`,
      '',
      '',
    ].join('\r\n');
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        callId,
        cseq,
        resolve: (response) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(response);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${this.user}: no final response to ${method} CSeq ${String(cseq)}`));
      }, ANSWER_MS);
      this.#waiters.add(waiter);
      this.socket.send(Buffer.concat([Buffer.from(head, 'utf8'), body]), this.server.port, this.server.host);
    });
  }

  #onPacket(packet: Buffer): void {
    const parsed = parseDatagram(packet);
    if (parsed.kind !== 'message') return;
    const message = parsed.message;
    if (message.kind === 'request') {
      this.#answer(message);
      return;
    }
    if (message.status < 200) return;
    const callId = message.headers.get('Call-ID');
    const cseq = Number.parseInt(message.headers.get('CSeq') ?? '', 10);
    for (const waiter of this.#waiters)
      if (waiter.callId === callId && waiter.cseq === cseq) waiter.resolve(message);
  }

  /** 200 to a MESSAGE (kept once, whatever the retransmissions), 200 to anything else. */
  #answer(request: SipRequest): void {
    const callId = request.headers.get('Call-ID') ?? '';
    const cseq = request.headers.get('CSeq') ?? '';
    const seen = this.received.some(
      (r) => r.headers.get('Call-ID') === callId && r.headers.get('CSeq') === cseq,
    );
    if (request.method === 'MESSAGE' && !seen) {
      this.received.push(request);
      for (const arrived of this.#arrivals.splice(0)) arrived();
    }
    const response = [
      'SIP/2.0 200 OK',
      ...request.headers.values('Via').map((via) => `Via: ${via}`),
      `From: ${request.headers.get('From') ?? ''}`,
      `To: ${request.headers.get('To') ?? ''};tag=${callId.slice(0, 6) || 'device'}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const via = request.headers.values('Via')[0] ?? '';
    const target = viaTarget(via) ?? this.server;
    this.socket.send(response, target.port, target.host);
  }
}

/** Where a response to this Via goes (RFC 3261 §18.2.2, with rport/received, RFC 3581). */
function viaTarget(via: string): Server | undefined {
  const sentBy = /^SIP\/2\.0\/UDP\s+([^;:\s]+)(?::(\d+))?/i.exec(via.trim());
  if (sentBy === null) return undefined;
  const received = /;received=([^;\s]+)/i.exec(via)?.[1];
  const rport = /;rport=(\d+)/i.exec(via)?.[1];
  const host = received ?? sentBy[1] ?? '';
  const port = Number(rport ?? sentBy[2] ?? 5060);
  return { host, port };
}
