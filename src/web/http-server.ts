/**
 * The web port of `missive serve`: one node:http server (HTTPS when given a certificate) whose requests go
 * to a fetch handler (the Hono application) and whose WebSocket upgrades are routed by subprotocol
 * (upgrades.ts). Header size, header and request time, and idle keep-alive are bounded so that a slow or
 * hostile client holds nothing for long: a new connection must send its first request head (TLS handshake
 * included), and so its WebSocket upgrade, within handshakeTimeoutMs of the TCP connect, on the injectable
 * clock; Node's own headersTimeout is only checked every 30 s. Given the SIP transports' InboundConnections,
 * every connection is counted against their limits (in total and per source) from its TCP connect, so that
 * the web port is no way around them. close() stops listening and closes every connection.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { getRequestListener, type Http2Bindings, type HttpBindings, RequestError } from '@hono/node-server';
import type { Logger } from 'pino';
import type { Peer, RawExchange } from './peer.js';
import type { Socket } from 'node:net';
import { HandshakeDeadlines } from '../sip/transport/handshake-deadlines.js';
import type { InboundConnections } from '../sip/transport/inbound-connections.js';
import { type Clock, systemClock } from '../time/clock.js';
import { routeUpgrade, type UpgradeRoutes } from './upgrades.js';

export interface WebServerLimits {
  /** Default 16 KiB (Node's). */
  readonly maxHeaderBytes?: number;
  /** Time to receive a request's headers. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request (but a streamed body's, see WebServerOptions.streamedBody). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** A streamed body's connection is closed after this long without a byte either way. Default 60 s. */
  readonly streamedBodyIdleMs?: number;
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Time from the TCP connect to the first request's head (an HTTP request or a WebSocket upgrade), the TLS
   * handshake included. Default 10 s.
   */
  readonly handshakeTimeoutMs?: number;
}

export const DEFAULT_WEB_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface WebServerOptions {
  /**
   * `peer`: who sent the request (the TCP peer); `raw`: the node request and response themselves, for a
   * route that streams a large body (file uploads and downloads) or must cut its connection (a cancelled
   * upload).
   */
  readonly fetch: (request: Request, peer: Peer, raw: RawExchange) => Response | Promise<Response>;
  readonly upgrades: UpgradeRoutes;
  /** PEM certificate and key: HTTPS (and wss upgrades). */
  /** HTTPS: a PEM certificate and key, or SNI too (tls/server-certificates.ts). */
  readonly tls?: TlsOptions | undefined;
  readonly limits?: WebServerLimits | undefined;
  /** Counts and limits the connections (the SIP transports' InboundConnections); undefined: no count. */
  readonly inbound?: InboundConnections | undefined;
  /**
   * Requests whose body a route streams for as long as it takes (a file upload of a gigabyte over a phone's
   * uplink): they have no whole-request deadline, only an idle one (limits.streamedBodyIdleMs).
   */
  readonly streamedBody?: ((request: IncomingMessage) => boolean) | undefined;
  /** For the handshake and request deadlines. Default the system clock. */
  readonly clock?: Clock | undefined;
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
      // Node's own deadline would cut every upload longer than it: this server keeps its own (#deadline).
      requestTimeout: 0,
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
    };
    this.secure = options.tls !== undefined;
    this.#logger = options.logger;
    this.#server =
      options.tls === undefined
        ? createHttpServer(serverOptions)
        : createHttpsServer({ ...serverOptions, ...options.tls });
    const fetch = (request: Request, env: HttpBindings | Http2Bindings): Promise<Response> | Response =>
      // A socket already gone has no address; the request is answered all the same.
      options.fetch(
        request,
        { address: env.incoming.socket.remoteAddress ?? '' },
        // This server is HTTP/1.1 (node:http or node:https), never HTTP/2.
        { incoming: env.incoming as IncomingMessage, outgoing: env.outgoing as ServerResponse },
      );
    const listener = getRequestListener(fetch, {
      overrideGlobalObjects: false,
      // Reached only when the request cannot be read (RequestError) or the fetch handler itself rejects
      // (the Hono application answers its routes' errors); always an answer, never a hung request.
      errorHandler: (error) => {
        if (error instanceof RequestError) return new Response('Bad Request', { status: 400 });
        this.#logger?.error({ err: error }, 'web request failed');
        return new Response('Internal Server Error', { status: 500 });
      },
    });
    const clock = options.clock ?? systemClock;
    const requestTimeoutMs = limits.requestTimeoutMs ?? 30_000;
    const idleMs = limits.streamedBodyIdleMs ?? 60_000;
    const handshakes = new HandshakeDeadlines(
      clock,
      limits.handshakeTimeoutMs ?? DEFAULT_WEB_HANDSHAKE_TIMEOUT_MS,
    );
    const inbound = options.inbound;
    // The raw TCP connection (under TLS for HTTPS): counted from now, and given until its first request head.
    this.#server.on('connection', (socket: Socket) => {
      if (inbound === undefined || inbound.admit(socket)) handshakes.arm(socket);
    });
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      handshakes.settle(request.socket);
      if (options.streamedBody?.(request) === true) idleDeadline(request, response, idleMs);
      else requestDeadline(clock, request, response, requestTimeoutMs);
      // The listener answers every request itself, errors included (errorHandler above).
      void listener(request, response);
    });
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      handshakes.settle(request.socket);
      try {
        routeUpgrade(options.upgrades, request, socket, head);
      } catch (error) {
        this.#logger?.error({ err: error }, 'WebSocket upgrade failed');
        socket.destroy();
      }
    });
    // A client that sends garbage, too large a head, or too slowly: a status saying which, then a close.
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      this.#logger?.debug({ err: error.message, code: error.code }, 'web client error');
      const status = clientErrorStatus(error.code);
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
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
          this.#logger?.error({ err: error }, 'web server error');
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

  /** Takes no new connection (idle keep-alive ones close); requests in progress and WebSockets go on. */
  stopListening(): void {
    this.#server.close();
  }

  /** HTTPS only: new certificates for new connections (a reload); open connections keep theirs. */
  setSecureContext(options: TlsOptions): void {
    if (this.#server instanceof HttpsServer) this.#server.setSecureContext(options);
  }

  /** Stops listening and closes every connection (upgraded WebSockets belong to their applications). */
  close(): Promise<void> {
    const server = this.#server;
    if (!server.listening) {
      // After stopListening (a graceful stop), the connections still open are closed here.
      server.closeAllConnections();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}

/** A request not received whole in time, and not answered yet: 408, then the connection closes (as Node's own). */
function requestDeadline(clock: Clock, request: IncomingMessage, response: ServerResponse, ms: number): void {
  const timer = clock.schedule(ms, () => {
    if (request.complete || response.headersSent) return;
    const socket = request.socket;
    if (socket.writable)
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  response.once('close', () => {
    timer.cancel();
  });
}

/** A streamed body: the connection goes after `ms` without traffic (the socket's idle timer), until answered. */
function idleDeadline(request: IncomingMessage, response: ServerResponse, ms: number): void {
  const socket = request.socket;
  socket.setTimeout(ms, () => socket.destroy());
  response.once('close', () => {
    socket.setTimeout(0);
  });
}

function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}
