/**
 * The one scripted SIP user agent of the tests, in the test process: missive's own TransportLayer on a chosen
 * source address (127.0.0.x, default 127.0.0.1) over UDP, TCP or as a WebSocket client; requests built from a
 * few fields (any header, any From user, a given branch or Call-ID: what a real phone would not send), digest
 * challenges answered, and everything received kept in arrival order. Two ways to read what came:
 * `next`/`response`/`incoming` take a message out of a queue (each once), `waitFor` and `messages` look at the
 * whole log (a test counts what came before a later answer instead of waiting for nothing). Digest answers
 * come from test/sip/auth/digest-client.ts (node:crypto alone, not the server's code).
 */
import { SipHeaders } from '../../src/sip/headers/header-list.js';
import { createResponse } from '../../src/sip/message/create-response.js';
import { generateBranch, generateCallId, generateTag } from '../../src/sip/message/ids.js';
import { type SipMessage, SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import { TransportLayer } from '../../src/sip/transport/transport-layer.js';
import type { MessageSource, SendTarget } from '../../src/sip/transport/types.js';
import { parseUri } from '../../src/sip/uri.js';
import { digestAuthorization, firstNonce } from '../sip/auth/digest-client.js';
import { fromTagOf, isFor } from './sip-fields.js';

export interface Received {
  readonly message: SipMessage;
  readonly source: MessageSource;
}

export interface RequestSpec {
  readonly method: string;
  readonly uri: string;
  /** The From user (of the agent's domain) instead of the agent's own: another user from the same socket. */
  readonly from?: string;
  /** The whole To header value; default `<uri>`. */
  readonly to?: string;
  /** A To tag (a request inside a dialog, or an ACK). */
  readonly toTag?: string;
  readonly callId?: string | undefined;
  readonly fromTag?: string | undefined;
  readonly cseq?: number;
  /** The top Via's branch; default a fresh one (the same one again: a retransmission or an ACK of a non-2xx). */
  readonly branch?: string;
  readonly extra?: readonly (readonly [string, string])[];
  readonly body?: string;
  /** The body's Content-Type (default text/plain). */
  readonly contentType?: string;
  /** Instead of the agent's own Contact (e.g. with RFC 5626 reg-id and +sip.instance); null: no Contact. */
  readonly contact?: string | null;
  /** Instead of 70. */
  readonly maxForwards?: number;
  /** For a challenge: the password of `from` instead of the agent's own. */
  readonly password?: string;
}

/** A MESSAGE to a user of the agent's domain. */
export interface OutgoingMessage {
  readonly to: string;
  readonly body: string;
  /** Default text/plain. */
  readonly contentType?: string;
}

export interface AgentOptions {
  /** The source address (127.0.0.x); default 127.0.0.1. */
  readonly host?: string;
}

/** How long a wait lasts by default: generous, since CI runs on a loaded 2-core machine. */
const WAIT_MS = 10_000;

export class Agent {
  /** No RFC 3261 §18.1.1 switch to TCP for large requests: a test sends what it says, where it says. */
  readonly transports = new TransportLayer({ udpMaxRequestBytes: 0 });
  /** Every message received, in order (whether or not `next` took it). */
  readonly messages: SipMessage[] = [];
  /** The MESSAGEs received, in order, each once whatever the retransmissions. */
  readonly received: SipRequest[] = [];
  /** Requests sent, in order. */
  readonly sent: SipRequest[] = [];
  readonly host: string;
  port = 0;
  /** How long a wait lasts when the call names none (a slow backend's test may raise it). */
  waitMs = WAIT_MS;
  readonly #queue: Received[] = [];
  readonly #sources = new WeakMap<SipMessage, MessageSource>();
  readonly #wakers = new Set<() => void>();
  #cseq = 1;

  constructor(
    readonly user: string,
    readonly domain: string,
    readonly password: string,
    readonly server: SendTarget,
    options: AgentOptions = {},
  ) {
    this.host = options.host ?? '127.0.0.1';
    this.transports.on('message', (message, source) => {
      this.messages.push(message);
      this.#sources.set(message, source);
      this.#queue.push({ message, source });
      if (message.kind === 'request' && message.method === 'MESSAGE' && !this.#seen(message))
        this.received.push(message);
      for (const wake of [...this.#wakers]) wake();
    });
  }

  /** An agent for `user` over UDP from `host` (127.0.0.x), started. */
  static async overUdp(
    user: string,
    password: string,
    server: { readonly host: string; readonly port: number },
    domain: string,
    host = '127.0.0.1',
  ): Promise<Agent> {
    return new Agent(user, domain, password, { transport: 'udp', ...server }, { host }).start();
  }

  /** `user`'s device over UDP (as overUdp): it answers every request it receives 200 (register it). */
  static async device(...args: Parameters<typeof Agent.overUdp>): Promise<Agent> {
    const agent = await Agent.overUdp(...args);
    agent.answering('*');
    return agent;
  }

  get aor(): string {
    return `sip:${this.user}@${this.domain}`;
  }

  get contact(): string {
    return `<sip:${this.user}@${this.host}:${String(this.port)}${this.server.transport === 'udp' ? '' : `;transport=${this.server.transport}`}>`;
  }

  async start(): Promise<this> {
    if (this.server.transport === 'udp' || this.server.transport === 'tcp') {
      const bound = await this.transports.listen(this.server.transport, this.host, 0);
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
    const to = spec.to ?? `<${spec.uri}>`;
    const headers = SipHeaders.of([
      [
        'Via',
        `SIP/2.0/${this.server.transport.toUpperCase()} ${this.host}:${String(this.port)};branch=${spec.branch ?? generateBranch()};rport`,
      ],
      ['Max-Forwards', String(spec.maxForwards ?? 70)],
      ['From', `<sip:${spec.from ?? this.user}@${this.domain}>;tag=${spec.fromTag ?? generateTag()}`],
      ['To', spec.toTag === undefined ? to : `${to};tag=${spec.toTag}`],
      ['Call-ID', spec.callId ?? generateCallId('agent')],
      ['CSeq', `${String(spec.cseq ?? this.#cseq++)} ${spec.method}`],
      ...(spec.contact === null ? [] : [['Contact', spec.contact ?? this.contact] as const]),
      ...(spec.extra ?? []),
    ]);
    if (spec.body !== undefined) headers.add('Content-Type', spec.contentType ?? 'text/plain');
    return new SipRequest({ method: spec.method, uri, headers, body: Buffer.from(spec.body ?? '') });
  }

  /** Sends a message (the same request again: a retransmission). */
  async send(message: SipMessage, target: SendTarget = this.server): Promise<void> {
    if (message.kind === 'request') this.sent.push(message);
    await this.transports.send(message, target);
  }

  /** Builds and sends a request: the request sent. */
  async issue(spec: RequestSpec): Promise<SipRequest> {
    const request = this.request(spec);
    await this.send(request);
    return request;
  }

  /** Sends and returns the first final response (provisionals are left in the queue). */
  async transact(request: SipRequest): Promise<SipResponse> {
    await this.send(request);
    return this.response(request);
  }

  /**
   * Sends a request and, when it is challenged (401/407), sends it again in the same dialog with credentials
   * (`extraCredentials` beside them): the request and its credentials header, or the first final response when
   * it was not a challenge.
   */
  async withCredentials(
    spec: RequestSpec,
    extraCredentials: readonly (readonly [string, string])[] = [],
  ): Promise<
    | { readonly request: SipRequest; readonly credentials: readonly [string, string] }
    | { readonly response: SipResponse }
  > {
    const first = this.request(spec);
    const challenge = await this.transact(first);
    if (challenge.status !== 401 && challenge.status !== 407) return { response: challenge };
    const credentials = this.credentials(spec, challenge);
    const request = this.request({
      ...spec,
      callId: first.headers.get('Call-ID') ?? undefined,
      fromTag: fromTagOf(first),
      extra: [...(spec.extra ?? []), credentials, ...extraCredentials],
    });
    await this.send(request);
    return { request, credentials };
  }

  /** Sends, answers one 401/407 with credentials, and returns the final response. */
  async authenticated(
    spec: RequestSpec,
    extraCredentials: readonly (readonly [string, string])[] = [],
  ): Promise<SipResponse> {
    const result = await this.withCredentials(spec, extraCredentials);
    return 'response' in result ? result.response : this.response(result.request);
  }

  /** The Authorization or Proxy-Authorization header that answers `challenge` for `spec`. */
  credentials(spec: RequestSpec, challenge: SipResponse): readonly [string, string] {
    return [
      challenge.status === 401 ? 'Authorization' : 'Proxy-Authorization',
      digestAuthorization({
        username: spec.from ?? this.user,
        realm: this.domain,
        password: spec.password ?? this.password,
        nonce: firstNonce(challenge),
        method: spec.method,
        uri: spec.uri,
      }),
    ];
  }

  async register(expires = 300): Promise<SipResponse> {
    return this.authenticated({
      method: 'REGISTER',
      uri: `sip:${this.domain}`,
      to: `<${this.aor}>`,
      extra: [['Expires', String(expires)]],
    });
  }

  /** A MESSAGE to `to`'s AOR (a user of the agent's domain), its challenge answered: the final response. */
  async message(message: OutgoingMessage): Promise<SipResponse> {
    return this.authenticated({
      method: 'MESSAGE',
      uri: `sip:${message.to}@${this.domain}`,
      body: message.body,
      contentType: message.contentType ?? 'text/plain',
    });
  }

  /** The next final response to `request` (same Call-ID and CSeq), taken from the queue. */
  async response(request: SipRequest, minStatus = 200): Promise<SipResponse> {
    const found = await this.next((m) => m.kind === 'response' && m.status >= minStatus && isFor(m, request));
    return found.message as SipResponse;
  }

  /** Takes out of the queue and returns the first received message that matches, waiting for it up to `ms`. */
  async next(predicate: (message: SipMessage) => boolean, ms = this.waitMs): Promise<Received> {
    return this.#until(
      () => {
        const index = this.#queue.findIndex((r) => predicate(r.message));
        return index === -1 ? undefined : this.#queue.splice(index, 1)[0];
      },
      'nothing matching arrived',
      ms,
    );
  }

  /** The first message of the log from index `from` on (default: all) that matches, as soon as it is here. */
  async waitFor(
    predicate: (message: SipMessage) => boolean,
    what: string,
    from = 0,
    ms = this.waitMs,
  ): Promise<SipMessage> {
    return this.#until(() => this.messages.slice(from).find(predicate), `no ${what}`, ms);
  }

  /** The MESSAGE received at `index` (0: the first), waited for. */
  async receivedAt(index: number, ms = this.waitMs): Promise<SipRequest> {
    return this.#until(() => this.received[index], `no MESSAGE #${String(index + 1)}`, ms);
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

  /** Whether a received message that matches waits in the queue (it stays there). */
  has(predicate: (message: SipMessage) => boolean): boolean {
    return this.#queue.some((r) => predicate(r.message));
  }

  /** The next request with `method`. */
  async incoming(method: string, ms?: number): Promise<Received & { message: SipRequest }> {
    return (await this.next((m) => m.kind === 'request' && m.method === method, ms)) as Received & {
      message: SipRequest;
    };
  }

  /**
   * From now on answers every `method` request (`*`: every request) as it arrives, with `status(request)` (200
   * by default): how many came so far, and `stop` to end it. With roundTrip, a test can say which agents got
   * one and which did not.
   */
  answering(
    method: string,
    status: (request: SipRequest) => number = () => 200,
  ): { readonly count: () => number; readonly stop: () => void } {
    let count = 0;
    const onMessage = (message: SipMessage, source: MessageSource): void => {
      if (message.kind !== 'request' || (method !== '*' && message.method !== method)) return;
      if (message.method === 'ACK') return;
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

  /** Answers a received request (a 2xx to an INVITE with this agent's Contact and the Record-Route copied). */
  async answer(
    received: Received | SipRequest,
    status: number,
    toTag = 'uas',
    extra: readonly (readonly [string, string])[] = [],
  ): Promise<SipResponse> {
    const request = ('kind' in received ? received : received.message) as SipRequest;
    const source = 'kind' in received ? this.#sources.get(received) : received.source;
    const response = createResponse(request, status, undefined, { toTag });
    if (status >= 200 && status < 300 && request.method === 'INVITE') {
      response.headers.add('Contact', this.contact);
      for (const rr of request.headers.getAll('Record-Route')) response.headers.add('Record-Route', rr);
    }
    for (const [name, value] of extra) response.headers.add(name, value);
    await this.transports.sendResponse(response, source);
    return response;
  }

  /** Resolves with what `find` returns once it returns something, re-checked at each message received. */
  async #until<T>(find: () => T | undefined, what: string, ms: number): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.user}@${this.host}: ${what} within ${String(ms)} ms`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#wakers.add(wake);
      });
    }
  }

  /** Whether `request` (same Call-ID and CSeq) was received before: a retransmission. */
  #seen(request: SipRequest): boolean {
    const callId = request.headers.get('Call-ID');
    const cseq = request.headers.get('CSeq');
    return this.received.some((r) => r.headers.get('Call-ID') === callId && r.headers.get('CSeq') === cseq);
  }
}
