/**
 * A stand-in for Apple's APNs service (which cannot run here): an HTTP/2 server over TLS with a self-signed
 * certificate, recording every request exactly as it arrived and answering as each test tells it to.
 */
import {
  createSecureServer,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createSelfSignedCertificate } from '../../src/tls/self-signed.js';

export interface RecordedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface StandInAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** `hold` keeps the stream open without an answer until the test calls `release`. */
export type Responder = (request: RecordedRequest, index: number) => StandInAnswer | 'hold';

export class ApnsStandIn {
  readonly requests: RecordedRequest[] = [];
  sessions = 0;
  /** The most requests held unanswered at once (each arrived while the others were still held). */
  maxHeld = 0;
  responder: Responder = () => ({ status: 200, headers: { 'apns-id': 'x' } });
  readonly #held: { stream: ServerHttp2Stream }[] = [];
  readonly #server: Http2SecureServer;
  readonly ca: string;

  private constructor(server: Http2SecureServer, ca: string) {
    this.#server = server;
    this.ca = ca;
    server.on('session', (session) => {
      this.sessions += 1;
      this.liveSessions.add(session);
      session.on('close', () => this.liveSessions.delete(session));
    });
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const request = { headers, body: Buffer.concat(chunks) };
        this.requests.push(request);
        const answer = this.responder(request, this.requests.length - 1);
        if (answer === 'hold') {
          this.#held.push({ stream });
          this.maxHeld = Math.max(this.maxHeld, this.#held.length);
        } else answerWith(stream, answer);
      });
    });
  }

  readonly liveSessions = new Set<ServerHttp2Session>();

  static async start(): Promise<ApnsStandIn> {
    const { cert, key } = await createSelfSignedCertificate({
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      keyType: 'ec',
    });
    const server = createSecureServer({ cert, key });
    const standIn = new ApnsStandIn(server, cert);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get origin(): string {
    return `https://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
  }

  get held(): number {
    return this.#held.length;
  }

  /** Answers every held stream (so that a failed test leaves nothing hanging). */
  releaseAll(answer: StandInAnswer = { status: 200 }): void {
    while (this.#held.length > 0) this.release(answer);
  }

  /** Answers the oldest held stream. */
  release(answer: StandInAnswer = { status: 200 }): void {
    const next = this.#held.shift();
    if (next !== undefined && !next.stream.closed) answerWith(next.stream, answer);
  }

  async close(): Promise<void> {
    for (const { stream } of this.#held.splice(0)) stream.close();
    for (const session of this.liveSessions) session.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}

function answerWith(stream: ServerHttp2Stream, answer: StandInAnswer): void {
  stream.respond({ ':status': answer.status, ...answer.headers });
  stream.end(answer.body);
}
