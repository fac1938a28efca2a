/**
 * A SIP peer on one TCP connection from a chosen source address (127.0.0.x), for tests of connection limits
 * and deadlines against `missive serve`: raw writes (whole, or a byte at a time), responses framed by
 * missive's own stream parser, CRLF pongs counted, and the connection's end as a promise. REGISTER with
 * digest answers from test/sip/auth/digest-client.ts.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { SipResponse } from '../../../src/sip/message/message.js';
import { SipStreamParser } from '../../../src/sip/parser/stream.js';
import { digestAuthorization, firstNonce } from '../../sip/auth/digest-client.js';

export class TcpSipPeer {
  readonly responses: SipResponse[] = [];
  pongs = 0;
  /** Resolves when the connection has ended, whoever ended it (with the time it ended). */
  readonly ended: Promise<number>;
  #ended = false;
  readonly #waiters = new Set<() => void>();
  readonly #parser = new SipStreamParser({
    onMessage: (message) => {
      if (message.kind === 'response') this.responses.push(message);
      this.#wake();
    },
    onPing: () => undefined,
    onError: () => undefined,
  });

  private constructor(
    readonly socket: Socket,
    readonly localHost: string,
  ) {
    this.ended = new Promise((resolve) => {
      socket.once('close', () => {
        this.#ended = true;
        this.#wake();
        resolve(Date.now());
      });
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      // A lone CRLF is a pong (RFC 5626 §3.5.1); the stream parser skips it.
      if (chunk.toString('latin1') === '\r\n') this.pongs++;
      else this.#parser.feed(chunk);
      this.#wake();
    });
  }

  /** Connects from `localHost`; resolves once connected (the server may still close it at once). */
  static async connect(localHost: string, port: number): Promise<TcpSipPeer> {
    const socket = connect({ host: '127.0.0.1', port, localAddress: localHost });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TcpSipPeer(socket, localHost);
  }

  get isEnded(): boolean {
    return this.#ended;
  }

  write(data: string | Buffer): void {
    if (!this.#ended) this.socket.write(data);
  }

  /** Writes one byte every `intervalMs` until the text is written or the connection ends. */
  async dribble(text: string, intervalMs: number): Promise<void> {
    for (const byte of Buffer.from(text)) {
      if (this.#ended) return;
      this.socket.write(Buffer.of(byte));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /**
   * Sends a request and resolves with its final response (by Call-ID and CSeq number), or with 'closed' when the connection ends first;
   * rejects after `timeoutMs` without either.
   */
  async request(text: string, callId: string, cseq = 1, timeoutMs = 5000): Promise<SipResponse | 'closed'> {
    this.write(text);
    return this.until(() => {
      const response = this.responses.find(
        (candidate) =>
          candidate.headers.get('Call-ID') === callId &&
          (candidate.headers.get('CSeq') ?? '').startsWith(`${String(cseq)} `) &&
          candidate.status >= 200,
      );
      if (response !== undefined) return response;
      return this.#ended ? 'closed' : undefined;
    }, timeoutMs);
  }

  /** Waits until `check` gives a value (checked after each input); rejects after `timeoutMs`. */
  until<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const value = check();
        if (value === undefined) return false;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const wake = (): void => {
        attempt();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`timed out after ${String(timeoutMs)} ms`));
      }, timeoutMs);
      if (!attempt()) this.#waiters.add(wake);
    });
  }

  /** REGISTER `user` with digest authentication: the final response to the answer to the challenge. */
  async register(user: string, password: string, domain: string): Promise<SipResponse | 'closed'> {
    const callId = randomBytes(8).toString('hex');
    const first = await this.request(registerText(this, user, domain, callId, 1), callId);
    if (first === 'closed' || first.status !== 401) return first;
    const authorization = digestAuthorization({
      username: user,
      realm: domain,
      password,
      nonce: firstNonce(first),
      method: 'REGISTER',
      uri: `sip:${domain}`,
    });
    return this.request(
      registerText(this, user, domain, callId, 2, `Authorization: ${authorization}`),
      callId,
      2,
    );
  }

  stop(): Promise<void> {
    this.socket.destroy();
    return this.ended.then(() => undefined);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** An OPTIONS for the server itself (answered by missive, no authentication): a complete request. */
export function optionsText(peer: TcpSipPeer, domain: string, callId: string): string {
  return sipRequest(peer, 'OPTIONS', `sip:${domain}`, 'ping', domain, callId, 1);
}

function registerText(
  peer: TcpSipPeer,
  user: string,
  domain: string,
  callId: string,
  cseq: number,
  extra?: string,
): string {
  return sipRequest(peer, 'REGISTER', `sip:${domain}`, user, domain, callId, cseq, [
    `Contact: <sip:${user}@${peer.localHost}:${String(peer.socket.localPort ?? 0)};transport=tcp>`,
    'Expires: 300',
    ...(extra === undefined ? [] : [extra]),
  ]);
}

function sipRequest(
  peer: TcpSipPeer,
  method: string,
  uri: string,
  user: string,
  domain: string,
  callId: string,
  cseq: number,
  extra: readonly string[] = [],
): string {
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/TCP ${peer.localHost}:${String(peer.socket.localPort ?? 0)};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:${user}@${domain}>;tag=${callId.slice(0, 8)}`,
    `To: <sip:${user}@${domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${String(cseq)} ${method}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
