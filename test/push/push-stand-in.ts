/**
 * A local HTTP server standing in for sylk-pushserver (a separate Python service that cannot run in these
 * tests): it records every request exactly as it arrived (method, path, headers, body) and answers what the
 * test's `answer` function says for that request's JSON body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The body parsed; undefined when it is not JSON. */
  readonly json: Record<string, unknown> | undefined;
}

export type StandInAnswer = (request: StandInRequest, response: ServerResponse) => void;

export const answerOk: StandInAnswer = (_request, response) => {
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end('{"code": 200, "description": "OK", "data": {}}');
};

export class PushStandIn {
  readonly requests: StandInRequest[] = [];
  readonly #server: Server;
  #url = '';
  readonly #answer: StandInAnswer;

  constructor(answer: StandInAnswer = answerOk) {
    this.#answer = answer;
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const recorded = {
          method: request.method,
          path: request.url,
          headers: request.headers,
          body,
          json: parseJson(body),
        };
        this.requests.push(recorded);
        this.#answer(recorded, response);
      });
    });
  }

  /** The URL to give missive (`--push-url`). */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${String(port)}/push`;
    return this;
  }

  /** Requests whose JSON `token` is `token`. */
  for(token: string): StandInRequest[] {
    return this.requests.filter((request) => request.json?.token === token);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
