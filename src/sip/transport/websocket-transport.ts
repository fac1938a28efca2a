/**
 * SIP over WebSocket (RFC 7118), ws or wss: accepts upgrades that offer the `sip` subprotocol, either from an
 * HTTP(S) server it shares with other WebSocket applications (handleUpgrade) or from its own server
 * (listen). It never connects out: WebSocket clients are browsers and apps behind NAT, so a message for one
 * goes out on the connection it opened, found by id or by address in the ConnectionTable shared with TCP and
 * TLS, or the send fails. Connections are counted and limited where they are accepted (InboundConnections):
 * by its own server here, by the shared server's owner otherwise; its own server also gives each connection
 * a deadline for its upgrade request (HandshakeDeadlines).
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TlsOptions } from 'node:tls';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SipMessage } from '../message/message.js';
import { serializeMessage } from '../message/serialize.js';
import type { ParserConfig } from '../parser/limits.js';
import type { Clock } from '../../time/clock.js';
import type { Expiry } from './connection-deadlines.js';
import type { Connection, ConnectionTable } from './connection-table.js';
import type { HandshakeDeadlines } from './handshake-deadlines.js';
import type { InboundConnections } from './inbound-connections.js';
import type { StreamConnectionLimits } from './stream-connection.js';
import {
  type LocalAddress,
  type SendTarget,
  type Transport,
  FlowFailedError,
  TransportError,
  type TransportEvents,
} from './types.js';
import { WebSocketConnection } from './websocket-connection.js';
import { offersSip, refuseUpgrade, selectSip } from './websocket-handshake.js';

export interface WebSocketTransportOptions {
  readonly protocol: 'ws' | 'wss';
  readonly table: ConnectionTable;
  /** Counts and limits the connections its own server accepts (shared with the other transports). */
  readonly inbound: InboundConnections;
  /** The deadline for the upgrade request on its own server. */
  readonly handshakes?: HandshakeDeadlines | undefined;
  readonly clock: Clock;
  /** Its limits bound a message: maxPayload is maxHeaderBytes + maxBodyBytes. */
  readonly parser: ParserConfig;
  readonly limits: StreamConnectionLimits;
  /** wss only: certificate and key for the server listen() creates. */
  readonly tlsServer?: TlsOptions | undefined;
  /** Told when a connection is closed for a missed deadline. */
  readonly onExpired?: ((connection: Connection, expiry: Expiry) => void) | undefined;
}

export class WebSocketTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol: 'ws' | 'wss';
  readonly #options: WebSocketTransportOptions;
  readonly #upgrader: WebSocketServer;
  #server: HttpServer | HttpsServer | undefined;
  #closing = false;

  constructor(options: WebSocketTransportOptions) {
    super();
    this.protocol = options.protocol;
    this.#options = options;
    const { maxHeaderBytes, maxBodyBytes } = options.parser.limits;
    this.#upgrader = new WebSocketServer({
      noServer: true,
      // The ConnectionTable tracks connections.
      clientTracking: false,
      // A compressed frame would let a small input cost a large buffer; SIP clients do not need it.
      perMessageDeflate: false,
      handleProtocols: selectSip,
      maxPayload: maxHeaderBytes + maxBodyBytes,
    });
  }

  /**
   * Takes an HTTP upgrade that offers the `sip` subprotocol and returns true; returns false, touching
   * nothing, for any other upgrade so that another WebSocket application can take it.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!offersSip(request)) return false;
    if (this.#closing) {
      refuseUpgrade(socket, 503);
      return true;
    }
    // Read now: a closed socket no longer knows its addresses.
    const remote = { host: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 };
    const local = { host: request.socket.localAddress ?? '', port: request.socket.localPort ?? 0 };
    // Bytes of a frame as they arrive, for the message deadline (connection-deadlines.ts): this listener is
    // added before ws adds its own, so that for each chunk it runs first and ws's complete frames end what
    // it started. (Adding it cannot lose data: no input is emitted before ws's synchronous handleUpgrade
    // has added its listener.)
    let connection: WebSocketConnection | undefined;
    const onBytes = (): void => {
      connection?.bytesArrived();
    };
    socket.on('data', onBytes);
    this.#upgrader.handleUpgrade(request, socket, head, (webSocket) => {
      connection = this.#adopt(webSocket, remote, local);
      if (connection === undefined) socket.off('data', onBytes);
    });
    return true;
  }

  /**
   * Standalone use: an HTTP server (HTTPS with the TLS server options for wss) that takes SIP upgrades and
   * refuses everything else (400 for another upgrade, 426 for a plain request).
   */
  listen(host: string, port: number): Promise<LocalAddress> {
    if (this.#server !== undefined)
      return Promise.reject(new TransportError(`${this.protocol}: already listening`));
    const server =
      this.protocol === 'wss' ? createHttpsServer(this.#options.tlsServer ?? {}) : createHttpServer();
    const { inbound, handshakes } = this.#options;
    // The raw TCP connection: counted from now, and given until the upgrade request to show it is one.
    server.on('connection', (socket: Socket) => {
      if (inbound.admit(socket)) handshakes?.arm(socket);
    });
    server.on('request', (request: IncomingMessage, response) => {
      handshakes?.settle(request.socket);
      response.writeHead(426, { Upgrade: 'websocket', Connection: 'close' }).end();
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      handshakes?.settle(request.socket);
      if (!this.handleUpgrade(request, socket, head)) refuseUpgrade(socket, 400);
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new TransportError(`${this.protocol}: no address`));
          return;
        }
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  async send(message: SipMessage, target: SendTarget): Promise<void> {
    const connection = this.#connectionFor(target);
    if (connection === undefined && target.flowOnly === true)
      throw new FlowFailedError(`${this.protocol}: flow closed`);
    if (connection === undefined) {
      throw new TransportError(`${this.protocol}: no open connection to ${target.host}:${target.port}`);
    }
    await connection.write(serializeMessage(message));
  }

  /** Closes every connection of this transport and its own server; a shared server is left to its owner. */
  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    this.#server = undefined;
    for (const connection of this.#options.table.all())
      if (connection.protocol === this.protocol) connection.destroy();
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      // Sockets that never sent a request would otherwise hold close() until the HTTP timeouts.
      server.closeAllConnections();
    });
  }

  #adopt(
    socket: WebSocket,
    remote: { host: string; port: number },
    local: LocalAddress,
  ): WebSocketConnection | undefined {
    const { table, onExpired } = this.#options;
    if (this.#closing) {
      socket.terminate();
      return undefined;
    }
    const connection = new WebSocketConnection({
      id: table.newId(this.protocol),
      protocol: this.protocol,
      socket,
      remote,
      local,
      parser: this.#options.parser,
      limits: this.#options.limits,
      clock: this.#options.clock,
      onMessage: (message, source) => {
        this.emit('message', message, source);
      },
      onClose: (closed) => {
        table.remove(closed);
      },
      onExpired,
    });
    table.add(connection);
    return connection;
  }

  #connectionFor(target: SendTarget): Connection | undefined {
    const { table } = this.#options;
    const byId = table.byTarget(this.protocol, target);
    if (byId !== undefined) return byId;
    if (target.flowOnly === true) return undefined;
    return table.byAddress(this.protocol, target.host, target.port);
  }
}
