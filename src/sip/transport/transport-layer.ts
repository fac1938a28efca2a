/**
 * The transport layer (RFC 3261 §18): one transport per protocol, one connection table for the stream and
 * WebSocket (RFC 7118) transports, and the rules that choose how a message leaves: RFC 3261 §18.1.1 (a large
 * request goes over TCP instead of UDP) and RFC 3261 §18.2.2 (where a response goes). Messages from every
 * transport are re-emitted as 'message' events with their source.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, TLSSocket, type TlsOptions } from 'node:tls';
import type { SipMessage, SipResponse } from '../message/message.js';
import { serializeMessage } from '../message/serialize.js';
import { type SipParserOptions, parserConfig } from '../parser/limits.js';
import { type Clock, systemClock } from '../../time/clock.js';
import type { Expiry } from './connection-deadlines.js';
import { type Connection, ConnectionTable } from './connection-table.js';
import { HandshakeDeadlines } from './handshake-deadlines.js';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection-limits.js';
import { InboundConnections, type Refusal } from './inbound-connections.js';
import { responseTarget } from './response-target.js';
import { StreamTransport } from './stream-transport.js';
import {
  type LocalAddress,
  type MessageSource,
  type SendTarget,
  type Transport,
  TransportError,
  type TransportEvents,
  type TransportProtocol,
} from './types.js';
import { UdpTransport } from './udp-transport.js';
import { setTopViaTransport } from './via-transport.js';
import { WebSocketTransport } from './websocket-transport.js';

export interface TransportLayerOptions extends ConnectionLimits {
  readonly clock?: Clock | undefined;
  /**
   * Counts inbound connections; give one to share it with another server that accepts connections for SIP
   * (the web port). Default: one made with maxConnections and maxConnectionsPerSource.
   */
  readonly inbound?: InboundConnections | undefined;
  /** Parser limits; maxHeaderBytes + maxBodyBytes bound what a connection buffers. */
  readonly parser?: SipParserOptions | undefined;
  /** Output a peer has not taken yet; above, its connection is closed. Default 4 MiB. */
  readonly maxQueuedBytes?: number | undefined;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number | undefined;
  /** Default 2 s. */
  readonly closeGraceMs?: number | undefined;
  /**
   * RFC 3261 §18.1.1: a request larger than this many bytes, bound for UDP, is sent over TCP (its top Via
   * rewritten), falling back to UDP when the connection cannot be made. Default 1300; 0 turns the rule off.
   */
  readonly udpMaxRequestBytes?: number | undefined;
  /** `server` also serves the wss server that listen('wss', …) creates. */
  readonly tls?: { readonly server?: TlsOptions; readonly client?: ConnectionOptions } | undefined;
  /** Told when an accepted connection is closed at once over an inbound limit (for a log line). */
  readonly onRefused?: ((refusal: Refusal, address: string) => void) | undefined;
  /** Told when a connection is closed for a missed deadline (for a log line). */
  readonly onExpired?: ((connection: Connection, expiry: Expiry) => void) | undefined;
  /**
   * Told when a 'message' listener throws: a bug above the transport costs that message, never the
   * process or the other peers. Default: a process warning.
   */
  readonly onListenerError?: ((error: unknown, source: MessageSource) => void) | undefined;
  /** Told of each message sent (not of the transaction layer's byte-level retransmissions): for metrics. */
  readonly onSent?: ((message: SipMessage) => void) | undefined;
}

export class TransportLayer extends EventEmitter<TransportEvents> {
  readonly connections: ConnectionTable;
  /** Inbound connections, counted from their TCP connect; share with the web port's server. */
  readonly inbound: InboundConnections;
  readonly udp: UdpTransport;
  readonly tcp: StreamTransport;
  readonly tls: StreamTransport;
  readonly ws: WebSocketTransport;
  readonly wss: WebSocketTransport;
  readonly #udpMaxRequestBytes: number;
  readonly #onSent: ((message: SipMessage) => void) | undefined;

  constructor(options: TransportLayerOptions = {}) {
    super();
    const clock = options.clock ?? systemClock;
    const parser = parserConfig(options.parser);
    const defaults = DEFAULT_CONNECTION_LIMITS;
    this.connections = new ConnectionTable(options.maxOutboundConnections ?? defaults.maxOutboundConnections);
    this.inbound =
      options.inbound ??
      new InboundConnections(
        {
          maxConnections: options.maxConnections ?? defaults.maxConnections,
          maxPerSource: options.maxConnectionsPerSource ?? defaults.maxConnectionsPerSource,
        },
        options.onRefused,
      );
    this.#udpMaxRequestBytes = options.udpMaxRequestBytes ?? 1300;
    this.#onSent = options.onSent;
    // What every connection-keeping transport shares: the tables, the clock, the parser and the limits.
    const connected = {
      table: this.connections,
      inbound: this.inbound,
      handshakes: new HandshakeDeadlines(clock, options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs),
      clock,
      parser,
      limits: {
        idleTimeoutMs: options.idleTimeoutMs ?? defaults.idleTimeoutMs,
        firstRequestTimeoutMs: options.firstRequestTimeoutMs ?? defaults.firstRequestTimeoutMs,
        messageTimeoutMs: options.messageTimeoutMs ?? defaults.messageTimeoutMs,
        maxQueuedBytes: options.maxQueuedBytes ?? 4 * 1024 * 1024,
        closeGraceMs: options.closeGraceMs ?? 2_000,
      },
      onExpired: options.onExpired,
    };
    const stream = { ...connected, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 };
    this.udp = new UdpTransport({ parser });
    this.tcp = new StreamTransport({ ...stream, protocol: 'tcp' });
    this.tls = new StreamTransport({
      ...stream,
      protocol: 'tls',
      tlsServer: options.tls?.server,
      tlsClient: options.tls?.client,
    });
    this.ws = new WebSocketTransport({ ...connected, protocol: 'ws' });
    this.wss = new WebSocketTransport({ ...connected, protocol: 'wss', tlsServer: options.tls?.server });
    const onListenerError =
      options.onListenerError ??
      ((error: unknown) => {
        process.emitWarning(`SIP message handler failed: ${String(error)}`);
      });
    for (const transport of [this.udp, this.tcp, this.tls, this.ws, this.wss]) {
      transport.on('message', (message, source) => {
        try {
          this.emit('message', message, source);
        } catch (error) {
          onListenerError(error, source);
        }
      });
    }
  }

  transport(protocol: TransportProtocol): Transport {
    switch (protocol) {
      case 'udp':
        return this.udp;
      case 'tcp':
        return this.tcp;
      case 'tls':
        return this.tls;
      case 'ws':
        return this.ws;
      case 'wss':
        return this.wss;
    }
  }

  /**
   * For an HTTP or HTTPS server shared with other WebSocket applications: takes an upgrade that offers the
   * `sip` subprotocol (as wss when it arrived over TLS, else ws) and returns true, or returns false and
   * leaves the upgrade to the caller.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const transport = request.socket instanceof TLSSocket ? this.wss : this.ws;
    return transport.handleUpgrade(request, socket, head);
  }

  listen(protocol: TransportProtocol, host: string, port: number): Promise<LocalAddress> {
    return this.transport(protocol).listen(host, port);
  }

  /** Sends a request (or a response to an explicit target). */
  async send(message: SipMessage, target: SendTarget): Promise<void> {
    if (target.transport === 'udp') {
      // Serialized once: the bytes that are measured for RFC 3261 §18.1.1 are the bytes sent.
      const bytes = serializeMessage(message);
      if (
        message.kind === 'request' &&
        this.#tooLargeForUdp(bytes) &&
        (await this.#sentOverTcp(message, target))
      )
        return;
      await this.udp.sendBytes(bytes, target.host, target.port);
      this.#onSent?.(message);
      return;
    }
    await this.transport(target.transport).send(message, target);
    this.#onSent?.(message);
  }

  /** RFC 3261 §18.1.1: a request too large for UDP goes over TCP; false (Via restored) when TCP cannot be used. */
  async #sentOverTcp(request: SipMessage, target: SendTarget): Promise<boolean> {
    const original = setTopViaTransport(request.headers, 'TCP');
    try {
      await this.tcp.send(request, { ...target, transport: 'tcp' });
      this.#onSent?.(request);
      return true;
    } catch {
      // When TCP cannot be used, retry over UDP (with the bytes serialized before the Via was changed).
      if (original !== undefined) request.headers.setFirst('Via', original);
      return false;
    }
  }

  /** Sends a serialized message as one UDP datagram (a retransmission the transaction layer keeps as bytes). */
  sendDatagram(bytes: Buffer, host: string, port: number): Promise<void> {
    return this.udp.sendBytes(bytes, host, port);
  }

  /**
   * Sends a response per RFC 3261 §18.2.2. `source` is where its request came from: a stream response then
   * reuses that connection while it is open.
   */
  async sendResponse(response: SipResponse, source?: MessageSource): Promise<void> {
    const target = responseTarget(response, source);
    if (target === undefined) throw new TransportError('response without a usable top Via');
    await this.send(response, target);
  }

  /** Takes no new TCP or TLS connection (UDP goes on: responses come back there); a graceful stop's first step. */
  stopListening(): void {
    this.tcp.stopListening();
    this.tls.stopListening();
  }

  async close(): Promise<void> {
    await Promise.all([
      this.udp.close(),
      this.tcp.close(),
      this.tls.close(),
      this.ws.close(),
      this.wss.close(),
    ]);
  }

  #tooLargeForUdp(bytes: Buffer): boolean {
    const limit = this.#udpMaxRequestBytes;
    return limit > 0 && bytes.length > limit;
  }
}
