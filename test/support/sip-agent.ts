/**
 * A scripted user agent for the proxy tests: its own TransportLayer on 127.0.0.1 (UDP, TCP or WS client),
 * requests built from a few fields, answers to digest challenges, and a queue of what it received.
 */
import { SipHeaders } from '../../src/sip/headers/header-list.js';
import { createResponse } from '../../src/sip/message/create-response.js';
import { generateBranch, generateCallId, generateTag } from '../../src/sip/message/ids.js';
import { type SipMessage, SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import { TransportLayer } from '../../src/sip/transport/transport-layer.js';
import type { MessageSource, SendTarget } from '../../src/sip/transport/types.js';
import { parseUri } from '../../src/sip/uri.js';
import { digestAuthorization, firstNonce } from '../sip/auth/digest-client.js';

export interface Received {
  readonly message: SipMessage;
  readonly source: MessageSource;
}

export interface RequestSpec {
  readonly method: string;
  readonly uri: string;
  readonly to?: string;
  readonly callId?: string | undefined;
  readonly fromTag?: string | undefined;
  readonly cseq?: number;
  readonly extra?: readonly (readonly [string, string])[];
  readonly body?: string;
  /** The body's Content-Type (default text/plain). */
  readonly contentType?: string;
  /** Instead of the agent's own Contact (e.g. with RFC 5626 reg-id and +sip.instance). */
  readonly contact?: string;
  /** Instead of 70. */
  readonly maxForwards?: number;
}

export class Agent {
  readonly transports = new TransportLayer();
  readonly #inbox: Received[] = [];
  readonly #waiters: (() => void)[] = [];
  port = 0;
  /** How long next() (and so a transaction's response) waits by default. */
  waitMs = 3000;
  #cseq = 1;

  constructor(
    readonly user: string,
    readonly domain: string,
    readonly password: string,
    readonly server: SendTarget,
  ) {
    this.transports.on('message', (message, source) => {
      this.#inbox.push({ message, source });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get aor(): string {
    return `sip:${this.user}@${this.domain}`;
  }

  get contact(): string {
    return `<sip:${this.user}@127.0.0.1:${String(this.port)}${this.server.transport === 'udp' ? '' : `;transport=${this.server.transport}`}>`;
  }

  async start(): Promise<this> {
    if (this.server.transport === 'udp' || this.server.transport === 'tcp') {
      const bound = await this.transports.listen(this.server.transport, '127.0.0.1', 0);
      this.port = bound.port;
    }
    return this;
  }

  async stop(): Promise<void> {
    await this.transports.close();
  }

  request(spec: RequestSpec): SipRequest {
    const uri = parseUri(spec.uri);
    if (uri === undefined) throw new Error(`bad URI ${spec.uri}`);
    const headers = SipHeaders.of([
      [
        'Via',
        `SIP/2.0/${this.server.transport.toUpperCase()} 127.0.0.1:${String(this.port)};branch=${generateBranch()};rport`,
      ],
      ['Max-Forwards', String(spec.maxForwards ?? 70)],
      ['From', `<${this.aor}>;tag=${spec.fromTag ?? generateTag()}`],
      ['To', spec.to ?? `<${spec.uri}>`],
      ['Call-ID', spec.callId ?? generateCallId('agent')],
      ['CSeq', `${String(spec.cseq ?? this.#cseq++)} ${spec.method}`],
      ['Contact', spec.contact ?? this.contact],
      ...(spec.extra ?? []),
    ]);
    if (spec.body !== undefined) headers.add('Content-Type', spec.contentType ?? 'text/plain');
    return new SipRequest({ method: spec.method, uri, headers, body: Buffer.from(spec.body ?? '') });
  }

  /** Requests sent, in order. */
  readonly sent: SipRequest[] = [];

  async send(message: SipMessage, target: SendTarget = this.server): Promise<void> {
    if (message.kind === 'request') this.sent.push(message);
    await this.transports.send(message, target);
  }

  /** Sends and returns the first final response (provisionals are left in the inbox). */
  async transact(request: SipRequest): Promise<SipResponse> {
    await this.send(request);
    return this.response(request);
  }

  /** Sends, answers one 401/407 with this agent's credentials, and returns the final response. */
  async authenticated(spec: RequestSpec): Promise<SipResponse> {
    const first = this.request(spec);
    const challenge = await this.transact(first);
    if (challenge.status !== 401 && challenge.status !== 407) return challenge;
    const header = challenge.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const retry = this.request({
      ...spec,
      callId: first.headers.get('Call-ID') ?? undefined,
      fromTag: /tag=([^;]+)/.exec(first.headers.get('From') ?? '')?.[1],
      extra: [
        ...(spec.extra ?? []),
        [
          header,
          digestAuthorization({
            username: this.user,
            realm: this.domain,
            password: this.password,
            nonce: firstNonce(challenge),
            method: spec.method,
            uri: spec.uri,
          }),
        ],
      ],
    });
    return this.transact(retry);
  }

  async register(expires = 300): Promise<SipResponse> {
    return this.authenticated({
      method: 'REGISTER',
      uri: `sip:${this.domain}`,
      to: `<${this.aor}>`,
      extra: [['Expires', String(expires)]],
    });
  }

  /** The next final response to `request` (same Call-ID and CSeq). */
  async response(request: SipRequest, minStatus = 200): Promise<SipResponse> {
    const cseq = request.headers.get('CSeq');
    const callId = request.headers.get('Call-ID');
    const found = await this.next(
      (m) =>
        m.kind === 'response' &&
        m.status >= minStatus &&
        m.headers.get('CSeq') === cseq &&
        m.headers.get('Call-ID') === callId,
    );
    return found.message as SipResponse;
  }

  /** Removes and returns the first received message that matches, waiting for it up to `ms`. */
  async next(predicate: (message: SipMessage) => boolean, ms = this.waitMs): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.#inbox.findIndex((r) => predicate(r.message));
      if (index !== -1) return this.#inbox.splice(index, 1)[0] as Received;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.user}: nothing matching arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * An OPTIONS to the server (or to `target`, for `domain`), answered: the server has read everything this
   * agent sent before it, and what the server sent this agent before answering has arrived (one socket each
   * way, in order) — the positive sign that lets a test assert that something has not happened.
   */
  async roundTrip(target: SendTarget = this.server, domain = this.domain): Promise<void> {
    const request = this.request({ method: 'OPTIONS', uri: `sip:${domain}` });
    await this.send(request, target);
    const response = await this.response(request);
    if (response.status !== 200) throw new Error(`${this.user}: OPTIONS got ${String(response.status)}`);
  }

  /** Whether a received message that matches waits in the inbox (it stays there). */
  has(predicate: (message: SipMessage) => boolean): boolean {
    return this.#inbox.some((r) => predicate(r.message));
  }

  /** The next request with `method`. */
  async incoming(method: string, ms?: number): Promise<Received & { message: SipRequest }> {
    return (await this.next((m) => m.kind === 'request' && m.method === method, ms)) as Received & {
      message: SipRequest;
    };
  }

  /**
   * From now on answers every `method` request as it arrives, with `status(request)` (200 by default): how many
   * came so far, and `stop` to end it. With roundTrip, a test can say which agents got one and which did not.
   */
  answering(
    method: string,
    status: (request: SipRequest) => number = () => 200,
  ): { readonly count: () => number; readonly stop: () => void } {
    let count = 0;
    const onMessage = (message: SipMessage, source: MessageSource): void => {
      if (message.kind !== 'request' || message.method !== method) return;
      count++;
      void this.answer({ message, source }, status(message));
    };
    this.transports.on('message', onMessage);
    return {
      count: () => count,
      stop: () => {
        this.transports.off('message', onMessage);
      },
    };
  }

  /** Answers a received request. */
  async answer(received: Received, status: number, toTag = 'uas'): Promise<SipResponse> {
    const request = received.message as SipRequest;
    const response = createResponse(request, status, undefined, { toTag });
    if (status >= 200 && status < 300 && request.method === 'INVITE') {
      response.headers.add('Contact', this.contact);
      for (const rr of request.headers.getAll('Record-Route')) response.headers.add('Record-Route', rr);
    }
    await this.transports.sendResponse(response, received.source);
    return response;
  }
}
