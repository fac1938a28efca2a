/**
 * A minimal SIP client over one UDP socket bound to a chosen source address (127.0.0.x), for tests that
 * need several sources: it sends one request at a time and resolves with its final response (provisional
 * ones skipped), parsed by missive's own datagram parser. Requests are built from a few fields; digest
 * answers come from test/sip/auth/digest-client.ts (node:crypto, independent of src/auth).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { SipResponse } from '../../../src/sip/message/message.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import { digestAuthorization, firstNonce } from '../../sip/auth/digest-client.js';

export interface ClientRequest {
  readonly method: 'REGISTER' | 'MESSAGE';
  readonly user: string;
  /** MESSAGE only: the recipient user. */
  readonly to?: string;
  readonly password: string;
}

export class UdpSipClient {
  #cseq = 1;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
    private readonly server: { readonly host: string; readonly port: number },
    private readonly domain: string,
  ) {}

  static async open(
    host: string,
    server: { readonly host: string; readonly port: number },
    domain: string,
  ): Promise<UdpSipClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        resolve();
      });
    });
    return new UdpSipClient(socket, host, socket.address().port, server, domain);
  }

  /** Sends the request without credentials, answers the challenge with `password`: the final response. */
  async login(request: ClientRequest): Promise<{ first: SipResponse; answer?: SipResponse }> {
    const callId = randomBytes(8).toString('hex');
    const first = await this.send(request, callId);
    if (first.status !== 401 && first.status !== 407) return { first };
    const uri = this.requestUri(request);
    const authorization = digestAuthorization({
      username: request.user,
      realm: this.domain,
      password: request.password,
      nonce: firstNonce(first),
      method: request.method,
      uri,
    });
    const answer = await this.send(request, callId, [
      first.status === 401 ? 'Authorization' : 'Proxy-Authorization',
      authorization,
    ]);
    return { first, answer };
  }

  /** The final response to one request (with an optional credentials header). */
  send(
    request: ClientRequest,
    callId: string,
    credentials?: readonly [string, string],
  ): Promise<SipResponse> {
    const cseq = this.#cseq++;
    const uri = this.requestUri(request);
    const to = request.method === 'REGISTER' ? request.user : (request.to ?? request.user);
    const body = request.method === 'MESSAGE' ? 'limit test' : '';
    const lines = [
      `${request.method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.host}:${String(this.port)};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${request.user}@${this.domain}>;tag=${callId.slice(0, 8)}`,
      `To: <sip:${to}@${this.domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${String(cseq)} ${request.method}`,
      `Contact: <sip:${request.user}@${this.host}:${String(this.port)}>`,
      ...(request.method === 'REGISTER' ? ['Expires: 300'] : ['Content-Type: text/plain']),
      ...(credentials === undefined ? [] : [`${credentials[0]}: ${credentials[1]}`]),
      `Content-Length: ${String(Buffer.byteLength(body))}`,
      '',
      body,
    ];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('message', onMessage);
        reject(new Error(`no final response to ${request.method} CSeq ${String(cseq)} within 3 s`));
      }, 3000);
      const onMessage = (packet: Buffer): void => {
        const parsed = parseDatagram(packet);
        if (parsed.kind !== 'message' || parsed.message.kind !== 'response') return;
        const response = parsed.message;
        if (response.headers.get('Call-ID') !== callId || response.status < 200) return;
        if (!(response.headers.get('CSeq') ?? '').startsWith(`${String(cseq)} `)) return;
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(response);
      };
      this.socket.on('message', onMessage);
      this.socket.send(lines.join('\r\n'), this.server.port, this.server.host);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.close(() => {
        resolve();
      });
    });
  }

  private requestUri(request: ClientRequest): string {
    return request.method === 'REGISTER' ? `sip:${this.domain}` : `sip:${request.to ?? ''}@${this.domain}`;
  }
}
