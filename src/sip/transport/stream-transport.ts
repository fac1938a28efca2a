/**
 * SIP over TCP or TLS (RFC 3261 §18, §26.3.1): accepts connections, opens them on demand for send(), and
 * reuses an open connection to the target's address: any for TCP and for responses; for a request over TLS
 * one the peer opened (found by its remote address, as a registration's flow or alias names it) or one we
 * opened whose certificate was checked for the same server name (RFC 5922), never one checked for another.
 * Connections live in a ConnectionTable shared with the other stream transports. An accepted connection is
 * counted by InboundConnections from its TCP connect (before the TLS handshake) and closed at once above its
 * limits; a TLS connection must finish its handshake within the HandshakeDeadlines' time. Connections we open
 * count only against the table's own bound (maxOutbound): when it is reached a send fails.
 */
import { EventEmitter } from 'node:events';
import {
  createServer as createTcpServer,
  isIP,
  type Server,
  type Socket,
  connect as tcpConnect,
} from 'node:net';
import {
  type ConnectionOptions,
  createServer as createTlsServer,
  Server as TlsServer,
  connect as tlsConnect,
  type TlsOptions,
} from 'node:tls';
import type { SipMessage } from '../message/message.js';
import { serializeMessage } from '../message/serialize.js';
import type { ParserConfig } from '../parser/limits.js';
import type { Clock } from '../../time/clock.js';
import { normalizeHost } from '../grammar/host.js';
import { type Connection, type ConnectionTable, connectionKey, verifiedKey } from './connection-table.js';
import type { Expiry } from './connection-deadlines.js';
import type { HandshakeDeadlines } from './handshake-deadlines.js';
import type { InboundConnections } from './inbound-connections.js';
import { StreamConnection, type StreamConnectionLimits } from './stream-connection.js';
import {
  type LocalAddress,
  type SendTarget,
  type Transport,
  FlowFailedError,
  TransportError,
  type TransportEvents,
} from './types.js';

export interface StreamTransportOptions {
  readonly protocol: 'tcp' | 'tls';
  readonly table: ConnectionTable;
  /** Counts and limits accepted connections (shared with the other transports). */
  readonly inbound: InboundConnections;
  /** TLS only: the deadline for an accepted connection's handshake. */
  readonly handshakes?: HandshakeDeadlines | undefined;
  readonly clock: Clock;
  readonly parser: ParserConfig;
  readonly limits: StreamConnectionLimits;
  readonly connectTimeoutMs: number;
  /** TLS only: certificate and key for listen(). */
  readonly tlsServer?: TlsOptions | undefined;
  /** TLS only: trust settings for connections we open (servername is set from the target host). */
  readonly tlsClient?: ConnectionOptions | undefined;
  /** Told when a connection is closed for a missed deadline. */
  readonly onExpired?: ((connection: Connection, expiry: Expiry) => void) | undefined;
}

export class StreamTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol: 'tcp' | 'tls';
  readonly #options: StreamTransportOptions;
  readonly #connecting = new Map<string, Promise<Connection>>();
  #server: Server | undefined;
  #closing = false;

  /**
   * The address listened on, when it is one: connections we open leave from it, as our UDP datagrams do, so
   * that a peer that trusts us by address (another instance, docs/scaling.md) sees the one it knows.
   */
  #sourceHost: string | undefined;

  constructor(options: StreamTransportOptions) {
    super();
    this.protocol = options.protocol;
    this.#options = options;
  }

  listen(host: string, port: number): Promise<LocalAddress> {
    if (this.#server !== undefined)
      return Promise.reject(new TransportError(`${this.protocol}: already listening`));
    const { inbound, handshakes } = this.#options;
    const server =
      this.protocol === 'tls'
        ? createTlsServer(this.#options.tlsServer ?? {}, (socket) => {
            handshakes?.settle(socket);
            this.#accept(socket);
          })
        : createTcpServer((socket) => {
            if (inbound.admit(socket)) this.#accept(socket);
          });
    if (this.protocol === 'tls') {
      // The raw TCP connection, before its handshake: counted from now, and given the handshake deadline.
      server.on('connection', (socket: Socket) => {
        if (inbound.admit(socket)) handshakes?.arm(socket);
      });
    }
    // A failed TLS handshake is that peer's problem only.
    server.on('tlsClientError', (_error: Error, socket: Socket) => {
      socket.destroy();
    });
    this.#server = server;
    this.#sourceHost = isIP(host) !== 0 && !UNSPECIFIED.has(host) ? host : undefined;
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

  /** Takes no new connection; the open ones go on (a graceful stop, before close()). */
  stopListening(): void {
    this.#server?.close();
  }

  /** TLS only: new certificates for new connections (a reload); open connections keep theirs. */
  setSecureContext(options: TlsOptions): void {
    const server = this.#server;
    if (server instanceof TlsServer) server.setSecureContext(options);
  }

  async send(message: SipMessage, target: SendTarget): Promise<void> {
    const bytes = serializeMessage(message);
    const connection = await this.#connectionFor(target, message.kind === 'request');
    await connection.write(bytes);
  }

  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    this.#server = undefined;
    const closed =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
          });
    for (const connection of this.#options.table.all())
      if (connection.protocol === this.protocol) connection.destroy();
    await closed;
  }

  #accept(socket: Socket): void {
    if (this.#closing || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.#adopt(socket, false);
  }

  #adopt(socket: Socket, outbound: boolean, serverName?: string): StreamConnection {
    const { table, onExpired } = this.#options;
    const connection = new StreamConnection({
      id: table.newId(this.protocol),
      protocol: this.protocol,
      socket,
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
      outbound,
      serverName,
    });
    table.add(connection);
    return connection;
  }

  async #connectionFor(target: SendTarget, request: boolean): Promise<Connection> {
    const { table } = this.#options;
    const byId = table.byTarget(this.protocol, target);
    if (byId !== undefined) return byId;
    if (target.flowOnly === true) throw new FlowFailedError(`${this.protocol}: flow closed`);
    const { host, port } = target;
    const existing = table.byAddress(this.protocol, host, port);
    // The name a new TLS connection's certificate is checked against.
    const serverName = this.protocol === 'tls' ? verifiedName(target) : undefined;
    let key = connectionKey(this.protocol, host, port);
    if (serverName === undefined || !request) {
      if (existing !== undefined) return existing;
    } else {
      // A request over TLS goes only where the certificate matched its server name (RFC 5922); a connection
      // the peer opened (no serverName) is reused by its address, as before.
      const usable = existing?.serverName === undefined || existing.serverName === serverName;
      if (existing !== undefined && usable) return existing;
      const verified = table.byServerName(this.protocol, host, port, serverName);
      if (verified !== undefined) return verified;
      key = verifiedKey(this.protocol, host, port, serverName);
    }
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    if (this.#closing) throw new TransportError(`${this.protocol}: closed`);
    if (table.outboundFull) throw new TransportError(`${this.protocol}: too many connections of ours`);
    const opening = this.#open(host, port, target.serverName, serverName).finally(() => {
      this.#connecting.delete(key);
    });
    this.#connecting.set(key, opening);
    return opening;
  }

  #open(
    host: string,
    port: number,
    serverName: string | undefined,
    verified: string | undefined,
  ): Promise<StreamConnection> {
    return new Promise((resolve, reject) => {
      const socket =
        this.protocol === 'tls'
          ? tlsConnect(this.#tlsClientOptions(host, port, serverName))
          : tcpConnect({ host, port, ...this.#source(host) });
      const timer = this.#options.clock.schedule(this.#options.connectTimeoutMs, () => {
        socket.destroy();
        reject(new TransportError(`${this.protocol}: connect to ${host}:${port} timed out`));
      });
      const failed = (error: Error): void => {
        timer.cancel();
        reject(new TransportError(`${this.protocol}: connect to ${host}:${port} failed: ${error.message}`));
      };
      socket.once('error', failed);
      const adopt = (): void => {
        timer.cancel();
        socket.off('error', failed);
        if (this.#closing || this.#options.table.outboundFull) {
          socket.destroy();
          reject(new TransportError(`${this.protocol}: too many connections of ours`));
          return;
        }
        resolve(this.#adopt(socket, true, verified));
      };
      socket.once(this.protocol === 'tls' ? 'secureConnect' : 'connect', adopt);
    });
  }

  /**
   * The local address to connect from: ours, when the target is an address of the same family (and, for a
   * loopback address of ours, a loopback target: nothing else is reachable from one).
   */
  #source(host: string): { localAddress?: string } {
    const source = this.#sourceHost;
    if (source === undefined || isIP(host) !== isIP(source)) return {};
    if (isLoopback(source) && !isLoopback(host)) return {};
    return { localAddress: source };
  }

  #tlsClientOptions(host: string, port: number, serverName: string | undefined): ConnectionOptions {
    const options: ConnectionOptions = { ...this.#options.tlsClient, host, port, ...this.#source(host) };
    // SNI carries names only (RFC 6066 §3), never IP addresses; the certificate is checked against it.
    const name = serverName ?? host;
    if (isIP(name) === 0) options.servername = name;
    return options;
  }
}

const UNSPECIFIED: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** What a TLS connection to the target is checked against: its serverName, or its host (as #tlsClientOptions). */
function verifiedName(target: SendTarget): string {
  const name = target.serverName ?? target.host;
  return normalizeHost(isIP(name) === 0 ? name : target.host);
}
