/**
 * A plain HTTP server standing in for a Google service that cannot run here (the OAuth 2 token endpoint,
 * FCM): it records every request exactly as it arrived and answers as each test tells it to.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** `hold` leaves the request unanswered until the test calls `release`. */
export type HttpResponder = (request: RecordedHttpRequest, index: number) => HttpAnswer | 'hold';

export class HttpStandIn {
  readonly requests: RecordedHttpRequest[] = [];
  responder: HttpResponder = () => ({ status: 200, body: '{}' });
  readonly #held: ServerResponse[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const recorded = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        const answer = this.responder(recorded, this.requests.length - 1);
        if (answer === 'hold') this.#held.push(response);
        else answerWith(response, answer);
      });
    });
  }

  static async start(): Promise<HttpStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HttpStandIn(server);
  }

  get origin(): string {
    return `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
  }

  get held(): number {
    return this.#held.length;
  }

  /** Drops the requests still held (an earlier test's), closing their connections. */
  dropHeld(): void {
    for (const response of this.#held.splice(0)) response.destroy();
  }

  release(answer: HttpAnswer): void {
    const next = this.#held.shift();
    if (next !== undefined) answerWith(next, answer);
  }

  async close(): Promise<void> {
    this.dropHeld();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}

function answerWith(response: ServerResponse, answer: HttpAnswer): void {
  response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  response.end(answer.body);
}
