/**
 * The SIP agent for tests against `missive serve` over UDP, on one socket bound to a chosen source address
 * (127.0.0.x), written byte by byte (so a test can send what missive's own stack would not: retransmissions,
 * other users from one source, any header): every message received is kept in arrival order (a caller counts
 * what came before a later answer instead of waiting for nothing); requests are written field by field, and
 * answered challenges (`authenticated`, `login`); a device (`UdpSipAgent.device`) registers, sends MESSAGEs and
 * answers every request it receives. Digest answers come from test/sip/auth/digest-client.ts (node:crypto
 * alone), parsing is missive's own datagram parser. For TCP and WebSocket, and for tests in the test process,
 * test/support/sip-agent.ts drives missive's own TransportLayer instead.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import { digestAuthorization, firstNonce } from '../sip/auth/digest-client.js';

export interface PeerRequest {
  readonly method: string;
  readonly uri: string;
  /** The From user (of the peer's domain). */
  readonly from: string;
  /** The To URI; default the Request-URI. */
  readonly to?: string;
  readonly toTag?: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly cseq?: number;
  /** The Via branch; default a fresh one. */
  readonly branch?: string;
  readonly headers?: readonly string[];
  readonly body?: string;
}

export interface SentRequest {
  readonly callId: string;
  readonly cseq: number;
  readonly branch: string;
  readonly text: string;
}

interface Waiter {
  readonly predicate: (message: SipMessage) => boolean;
  readonly from: number;
  readonly resolve: (message: SipMessage) => void;
  readonly cancel: () => void;
}

/** What `login` sends: REGISTER (Expires 300) or MESSAGE (text/plain) as `user`, answering the challenge. */
export interface LoginRequest {
  readonly method: 'REGISTER' | 'MESSAGE';
  readonly user: string;
  /** MESSAGE only: the recipient user (same domain). */
  readonly to?: string;
  readonly password: string;
}

/** A device's MESSAGE: to a user of the same domain. */
export interface OutgoingMessage {
  readonly to: string;
  readonly contentType: string;
  readonly body: string;
}

export class UdpSipAgent {
  /** Every SIP message received, in order. */
  readonly messages: SipMessage[] = [];
  readonly #waiters = new Set<Waiter>();
  /** The MESSAGEs received, in order, each once whatever the retransmissions. */
  readonly received: SipRequest[] = [];
  /** Methods answered as soon as they arrive, with this status; `*`: every method. */
  readonly #answers = new Map<string, number>();
  /** The user and password of a device (`UdpSipAgent.device`). */
  #identity: { readonly user: string; readonly password: string } | undefined;
  #cseq = 1;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
    private readonly server: { readonly host: string; readonly port: number },
    readonly domain: string,
  ) {
    socket.on('message', (packet) => {
      const parsed = parseDatagram(packet);
      if (parsed.kind !== 'message') return;
      this.messages.push(parsed.message);
      const message = parsed.message;
      if (message.kind === 'request' && message.method === 'MESSAGE' && !this.#seen(message))
        this.received.push(message);
      const status =
        message.kind === 'request'
          ? (this.#answers.get(message.method) ?? this.#answers.get('*'))
          : undefined;
      if (message.kind === 'request' && status !== undefined) this.reply(message, status, { toTag: 'auto' });
      for (const waiter of [...this.#waiters]) {
        if (this.messages.length - 1 >= waiter.from && waiter.predicate(parsed.message)) {
          this.#waiters.delete(waiter);
          waiter.resolve(parsed.message);
        }
      }
    });
  }

  static async open(
    host: string,
    server: { readonly host: string; readonly port: number },
    domain: string,
  ): Promise<UdpSipAgent> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        resolve();
      });
    });
    return new UdpSipAgent(socket, host, socket.address().port, server, domain);
  }

  /** An agent that is `user`'s device: it answers every request it receives 200 (register it with register()). */
  static async device(
    user: string,
    password: string,
    server: { readonly host: string; readonly port: number },
    domain: string,
    host = '127.0.0.1',
  ): Promise<UdpSipAgent> {
    const agent = await UdpSipAgent.open(host, server, domain);
    agent.#identity = { user, password };
    agent.answer('*', 200);
    return agent;
  }

  /** From now on, answers every `method` request received (`*`: every request) with `status`. */
  answer(method: string, status: number): void {
    this.#answers.set(method, status);
  }

  contact(user: string): string {
    return `<sip:${user}@${this.host}:${String(this.port)}>`;
  }

  /** The first message from index `from` on (default: all) that matches, as soon as it is here. */
  waitFor(
    predicate: (message: SipMessage) => boolean,
    what: string,
    from = 0,
    timeoutMs = 5000,
  ): Promise<SipMessage> {
    const seen = this.messages.slice(from).find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${this.host}: no ${what} within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        from,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        cancel: () => {
          clearTimeout(timer);
          reject(new Error(`${this.host}: stopped while waiting for ${what}`));
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** The final response to a request this peer sent. */
  async finalResponse(sent: SentRequest, from = 0): Promise<SipResponse> {
    const message = await this.waitFor(
      (m) => m.kind === 'response' && m.status >= 200 && isFor(m, sent),
      `final response to CSeq ${String(sent.cseq)}`,
      from,
    );
    return message as SipResponse;
  }

  /** Writes and sends a request to the server. */
  send(request: PeerRequest): SentRequest {
    const callId = request.callId ?? `${randomBytes(8).toString('hex')}@${this.host}`;
    const cseq = request.cseq ?? this.#cseq++;
    const branch = request.branch ?? `z9hG4bK${randomBytes(8).toString('hex')}`;
    const cseqMethod = request.method;
    const body = request.body ?? '';
    const to = `<${request.to ?? request.uri}>${request.toTag === undefined ? '' : `;tag=${request.toTag}`}`;
    const lines = [
      `${request.method} ${request.uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.host}:${String(this.port)};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:${request.from}@${this.domain}>;tag=${request.fromTag ?? callId.slice(0, 8)}`,
      `To: ${to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${String(cseq)} ${cseqMethod}`,
      ...(request.headers ?? []),
      `Content-Length: ${String(Buffer.byteLength(body))}`,
      '',
      body,
    ];
    const text = lines.join('\r\n');
    this.resend(text);
    return { callId, cseq, branch, text };
  }

  /** Sends these bytes again (a retransmission). */
  resend(text: string): void {
    this.socket.send(text, this.server.port, this.server.host);
  }

  /**
   * Sends a request and answers its 401/407 with credentials for `password` (and `extraCredentials` beside
   * them): the request with credentials, and the credentials header line, or the first final response when it
   * was not a challenge.
   */
  async withCredentials(
    request: PeerRequest,
    password: string,
    extraCredentials: readonly string[] = [],
  ): Promise<{ sent: SentRequest; credentials: string } | { sent: SentRequest; response: SipResponse }> {
    const first = this.send(request);
    const challenge = await this.finalResponse(first);
    if (challenge.status !== 401 && challenge.status !== 407) return { sent: first, response: challenge };
    const credentials = this.#credentials(request, challenge, password);
    const sent = this.send({
      ...request,
      callId: first.callId,
      headers: [...(request.headers ?? []), credentials, ...extraCredentials],
    });
    return { sent, credentials };
  }

  /** Sends a request, answers its challenge with credentials for `password`: the final response. */
  async authenticated(
    request: PeerRequest,
    password: string,
    extraCredentials: readonly string[] = [],
  ): Promise<{ sent: SentRequest; response: SipResponse }> {
    const result = await this.withCredentials(request, password, extraCredentials);
    if ('response' in result) return result;
    return { sent: result.sent, response: await this.finalResponse(result.sent) };
  }

  /** REGISTERs this socket as `user`'s device (default: the device's own user): the 200, or it throws. */
  async register(user = this.#device.user, password = this.#device.password): Promise<SipResponse> {
    const { response } = await this.authenticated(
      {
        method: 'REGISTER',
        uri: `sip:${this.domain}`,
        to: `sip:${user}@${this.domain}`,
        from: user,
        headers: [`Contact: ${this.contact(user)}`, 'Expires: 300'],
      },
      password,
    );
    if (response.status !== 200) throw new Error(`REGISTER ${user}: ${String(response.status)}`);
    return response;
  }

  /** A device's MESSAGE, its challenge answered: the final response. */
  async message(message: OutgoingMessage): Promise<SipResponse> {
    const { user, password } = this.#device;
    const uri = `sip:${message.to}@${this.domain}`;
    const { response } = await this.authenticated(
      {
        method: 'MESSAGE',
        uri,
        from: user,
        headers: [`Contact: ${this.contact(user)}`, `Content-Type: ${message.contentType}`],
        body: message.body,
      },
      password,
    );
    return response;
  }

  /**
   * Sends a REGISTER (Expires 300) or a MESSAGE (text/plain) as `request.user` without credentials, then
   * answers a 401/407 with `request.password`: the first final response and the answer to the credentials.
   */
  async login(request: LoginRequest): Promise<{ first: SipResponse; answer?: SipResponse }> {
    const callId = `${randomBytes(8).toString('hex')}@${this.host}`;
    const first = await this.loginStep(request, callId);
    if (first.status !== 401 && first.status !== 407) return { first };
    const spec = this.#loginSpec(request, callId);
    const header = this.#credentials(spec, first, request.password);
    const colon = header.indexOf(': ');
    const credentials = [header.slice(0, colon), header.slice(colon + 2)] as const;
    return { first, answer: await this.loginStep(request, callId, credentials) };
  }

  /** One request of a login, in the dialog `callId`, with a credentials header when given: its final response. */
  loginStep(
    request: LoginRequest,
    callId: string,
    credentials?: readonly [string, string],
  ): Promise<SipResponse> {
    const spec = this.#loginSpec(request, callId);
    const headers = [...(spec.headers ?? []), ...(credentials === undefined ? [] : [credentials.join(': ')])];
    return this.finalResponse(this.send({ ...spec, headers }));
  }

  /** The MESSAGE received at `index` (0: the first), waited for. */
  async receivedAt(index: number, timeoutMs = 5000): Promise<SipRequest> {
    await this.waitFor(() => this.received.length > index, `MESSAGE #${String(index + 1)}`, 0, timeoutMs);
    const request = this.received[index];
    if (request === undefined) throw new Error(`no MESSAGE #${String(index + 1)}`);
    return request;
  }

  /** Answers a request received from the server (Via, From, To, Call-ID and CSeq copied; To tag added). */
  reply(
    request: SipRequest,
    status: number,
    options: { toTag?: string; headers?: readonly string[] } = {},
  ): void {
    const to = request.headers.get('To') ?? '';
    const lines = [
      `SIP/2.0 ${String(status)} ${status === 200 ? 'OK' : 'Answer'}`,
      ...request.headers.getAll('Via').map((via) => `Via: ${via}`),
      `From: ${request.headers.get('From') ?? ''}`,
      `To: ${options.toTag === undefined || to.includes(';tag=') ? to : `${to};tag=${options.toTag}`}`,
      `Call-ID: ${request.headers.get('Call-ID') ?? ''}`,
      `CSeq: ${request.headers.get('CSeq') ?? ''}`,
      ...(options.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ];
    this.socket.send(lines.join('\r\n'), this.server.port, this.server.host);
  }

  get #device(): { readonly user: string; readonly password: string } {
    if (this.#identity === undefined) throw new Error('not a device: open it with UdpSipAgent.device');
    return this.#identity;
  }

  /** The Authorization or Proxy-Authorization header line that answers `challenge` for `request`. */
  #credentials(request: PeerRequest, challenge: SipResponse, password: string): string {
    const header = challenge.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    return `${header}: ${digestAuthorization({
      username: request.from,
      realm: this.domain,
      password,
      nonce: firstNonce(challenge),
      method: request.method,
      uri: request.uri,
    })}`;
  }

  #loginSpec(request: LoginRequest, callId: string): PeerRequest {
    const to = request.method === 'REGISTER' ? request.user : (request.to ?? request.user);
    return {
      method: request.method,
      uri: request.method === 'REGISTER' ? `sip:${this.domain}` : `sip:${to}@${this.domain}`,
      to: `sip:${to}@${this.domain}`,
      from: request.user,
      callId,
      headers: [
        `Contact: ${this.contact(request.user)}`,
        request.method === 'REGISTER' ? 'Expires: 300' : 'Content-Type: text/plain',
      ],
      body: request.method === 'MESSAGE' ? 'limit test' : '',
    };
  }

  /** Whether `request` (same Call-ID and CSeq) was received before: a retransmission. */
  #seen(request: SipRequest): boolean {
    const callId = request.headers.get('Call-ID');
    const cseq = request.headers.get('CSeq');
    return this.received.some((r) => r.headers.get('Call-ID') === callId && r.headers.get('CSeq') === cseq);
  }

  stop(): Promise<void> {
    for (const waiter of this.#waiters) waiter.cancel();
    this.#waiters.clear();
    return new Promise((resolve) => {
      this.socket.close(() => {
        resolve();
      });
    });
  }
}

/** Whether `message` belongs to the request `sent` (same Call-ID and CSeq number). */
export function isFor(message: SipMessage, sent: Pick<SentRequest, 'callId' | 'cseq'>): boolean {
  return (
    message.headers.get('Call-ID') === sent.callId &&
    (message.headers.get('CSeq') ?? '').startsWith(`${String(sent.cseq)} `)
  );
}

export function isRequestOf(method: string, callId: string): (message: SipMessage) => boolean {
  return (message) =>
    message.kind === 'request' && message.method === method && message.headers.get('Call-ID') === callId;
}
