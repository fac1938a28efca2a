/**
 * JsSIP (the WebRTC clients' SIP library) as a real SIP-over-WebSocket user agent in the test process.
 * Node 20 has no global WebSocket, so the `ws` package is installed as one before JsSIP connects; JsSIP asks
 * for the `sip` subprotocol itself (RFC 7118). It answers incoming MESSAGEs with 200 on its own.
 */
import JsSIP from 'jssip';
import type { IncomingMessageEvent, OutgoingMessageEvent } from 'jssip/lib/UA.js';
import WebSocket from 'ws';

export interface JssipOptions {
  /** ws://127.0.0.1:<port> */
  readonly url: string;
  readonly user: string;
  readonly domain: string;
  readonly password: string;
  readonly timeoutMs?: number;
}

export interface JssipReceived {
  readonly from: string;
  readonly body: string;
  readonly contentType: string | undefined;
}

function installWebSocket(): void {
  const global = globalThis as { WebSocket?: unknown };
  global.WebSocket ??= WebSocket;
}

export class JssipClient {
  readonly received: JssipReceived[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(readonly ua: JsSIP.UA) {
    ua.on('newMessage', (event: IncomingMessageEvent | OutgoingMessageEvent) => {
      // Our own outgoing MESSAGEs are reported too; Originator is a type-only enum, hence the string.
      const origin: string = event.originator;
      if (origin !== 'remote') return;
      const { request } = event;
      this.received.push({
        from: request.from.uri.toString(),
        body: request.body,
        contentType: request.getHeader('Content-Type'),
      });
      for (const wake of this.#waiters) wake();
    });
  }

  /** Connects and registers; rejects with the failure cause. */
  static start(options: JssipOptions): Promise<JssipClient> {
    installWebSocket();
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(options.url)],
      uri: `sip:${options.user}@${options.domain}`,
      password: options.password,
      register: true,
      register_expires: 300,
      connection_recovery_min_interval: 60,
      connection_recovery_max_interval: 60,
    });
    const client = new JssipClient(ua);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ua.stop();
        reject(new Error(`JsSIP ${options.user}: not registered after ${options.timeoutMs ?? 10_000} ms`));
      }, options.timeoutMs ?? 10_000);
      ua.once('registered', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ua.once('registrationFailed', (event: { cause?: string; response?: { status_code: number } }) => {
        clearTimeout(timer);
        ua.stop();
        reject(
          new Error(
            `JsSIP ${options.user}: registration failed: ${event.cause ?? '?'} ${String(event.response?.status_code ?? '')}`,
          ),
        );
      });
      ua.start();
    });
  }

  /** Resolves with the first MESSAGE received whose body is `body` (surrounding white space aside). */
  waitForMessage(body: string, timeoutMs = 10_000): Promise<JssipReceived> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        // Trimmed: sipp scenarios end the body with a CRLF.
        const found = this.received.find((message) => message.body.trim() === body);
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `JsSIP: no MESSAGE "${body}" after ${timeoutMs} ms (got ${JSON.stringify(this.received)})`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends a MESSAGE (JsSIP answers a 407 with the password) and resolves with the final status code. */
  sendMessage(target: string, body: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`JsSIP: no final response to MESSAGE after ${timeoutMs} ms`));
      }, timeoutMs);
      this.ua.sendMessage(target, body, {
        eventHandlers: {
          succeeded: (event: { response: { status_code: number } }) => {
            clearTimeout(timer);
            resolve(event.response.status_code);
          },
          failed: (event) => {
            clearTimeout(timer);
            resolve(event.response.status_code);
          },
        },
      });
    });
  }

  /** Unregisters and closes the connection. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.ua.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ua.stop();
    });
  }
}
