/**
 * The web port of `missive serve`: one node:http server (HTTPS when given a certificate) whose requests go
 * to a fetch handler (the Hono application) and whose WebSocket upgrades are routed by subprotocol
 * (upgrades.ts). Header size, header and request time, and idle keep-alive are bounded so that a slow or
 * hostile client holds nothing for long. close() stops listening and closes every connection.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { routeUpgrade, type UpgradeRoutes } from './upgrades.js';

export interface WebServerLimits {
  /** Default 16 KiB (Node's). */
  readonly maxHeaderBytes?: number;
  /** Time to receive a request's headers. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  readonly keepAliveTimeoutMs?: number;
}

export interface WebServerOptions {
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly upgrades: UpgradeRoutes;
  /** PEM certificate and key: HTTPS (and wss upgrades). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  readonly limits?: WebServerLimits | undefined;
  readonly logger?: Logger | undefined;
}

export interface WebAddress {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

export class WebServer {
  readonly secure: boolean;
  readonly #server: Server;
  readonly #logger: Logger | undefined;

  constructor(options: WebServerOptions) {
    const limits = options.limits ?? {};
    const serverOptions = {
      maxHeaderSize: limits.maxHeaderBytes ?? 16 * 1024,
      headersTimeout: limits.headersTimeoutMs ?? 10_000,
      requestTimeout: limits.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
    };
    this.secure = options.tls !== undefined;
    this.#logger = options.logger;
    this.#server =
      options.tls === undefined
        ? createHttpServer(serverOptions)
        : createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key });
    const listener = getRequestListener(options.fetch, {
      overrideGlobalObjects: false,
      errorHandler: (error) => {
        this.#logger?.error({ err: String(error) }, 'web request failed');
      },
    });
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      // The listener answers every request itself, errors included (errorHandler above).
      void listener(request, response);
    });
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        routeUpgrade(options.upgrades, request, socket, head);
      } catch (error) {
        this.#logger?.error({ err: String(error) }, 'WebSocket upgrade failed');
        socket.destroy();
      }
    });
    // A client that sends garbage gets 400 from Node; a reset is not worth a log line above debug.
    this.#server.on('clientError', (error: Error, socket: Duplex) => {
      this.#logger?.debug({ err: error.message }, 'web client error');
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    });
  }

  listen(host: string, port: number): Promise<WebAddress> {
    const server = this.#server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (error) => {
          this.#logger?.error({ err: String(error) }, 'web server error');
        });
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the web server has no address'));
          return;
        }
        resolve({ host: address.address, port: address.port, secure: this.secure });
      });
    });
  }

  /** Stops listening and closes every connection (upgraded WebSockets belong to their applications). */
  close(): Promise<void> {
    const server = this.#server;
    if (!server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}
