/**
 * One SIP WebSocket connection (RFC 7118): each message, text or binary, is one SIP message, parsed like a
 * UDP datagram. A message that does not parse is answered when the parser has an answer and dropped
 * otherwise; the framing is intact, so the connection goes on. ws enforces maxPayload (closing with 1009)
 * and answers pings; traffic of any kind, pings included, keeps the connection from going idle, but only a
 * complete request lifts the shorter deadline of a connection that has sent none, and a frame must arrive
 * whole within the message deadline of its first bytes (connection-deadlines.ts).
 * Output above maxQueuedBytes closes the connection. Nothing here throws into the socket's event handlers.
 */
import { isUtf8 } from 'node:buffer';
import type { RawData, WebSocket } from 'ws';
import type { SipMessage } from '../message/message.js';
import type { ParserConfig } from '../parser/limits.js';
import { parseDatagram } from '../parser/datagram.js';
import type { Clock, Timer } from '../../time/clock.js';
import { ConnectionDeadlines, type Expiry } from './connection-deadlines.js';
import type { Connection } from './connection-table.js';
import { errorAnswer, stampIncoming } from './incoming.js';
import type { StreamConnectionLimits } from './stream-connection.js';
import { type LocalAddress, type MessageSource, TransportError } from './types.js';

/** RFC 6455 §7.4.1. */
const NORMAL_CLOSURE = 1000;

export interface WebSocketConnectionInit {
  readonly id: string;
  readonly protocol: 'ws' | 'wss';
  readonly socket: WebSocket;
  /** Read from the upgrade request: the socket's addresses are gone once it closes. */
  readonly remote: { readonly host: string; readonly port: number };
  readonly local: LocalAddress;
  readonly parser: ParserConfig;
  readonly limits: StreamConnectionLimits;
  readonly clock: Clock;
  readonly onMessage: (message: SipMessage, source: MessageSource) => void;
  readonly onClose: (connection: WebSocketConnection) => void;
  /** Told why a deadline closed the connection (for a log line). */
  readonly onExpired?: ((connection: WebSocketConnection, expiry: Expiry) => void) | undefined;
}

export class WebSocketConnection implements Connection {
  readonly id: string;
  readonly protocol: 'ws' | 'wss';
  readonly remoteHost: string;
  readonly remotePort: number;
  /** WebSocket connections are always the client's (the transport never connects out). */
  readonly outbound = false;
  readonly local: LocalAddress;
  readonly #socket: WebSocket;
  readonly #init: WebSocketConnectionInit;
  readonly #source: MessageSource;
  readonly #deadlines: ConnectionDeadlines;
  #graceTimer: Timer | undefined;
  #closed = false;

  constructor(init: WebSocketConnectionInit) {
    this.#init = init;
    this.id = init.id;
    this.protocol = init.protocol;
    this.#socket = init.socket;
    this.remoteHost = init.remote.host;
    this.remotePort = init.remote.port;
    this.local = init.local;
    this.#source = {
      transport: init.protocol,
      host: this.remoteHost,
      port: this.remotePort,
      connectionId: init.id,
      local: this.local,
    };
    this.#deadlines = new ConnectionDeadlines({
      clock: init.clock,
      timeouts: init.limits,
      outbound: false,
      onExpired: (expiry) => {
        init.onExpired?.(this, expiry);
        this.close();
      },
    });
    const socket = init.socket;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: RawData) => {
      this.#frameEnded();
      this.#receive(toBuffer(data));
    });
    socket.on('ping', () => {
      this.#frameEnded();
    });
    socket.on('pong', () => {
      this.#frameEnded();
    });
    socket.on('error', () => {
      // ws has already closed (or is closing) the connection with the matching status; 'close' follows.
    });
    socket.on('close', () => {
      this.#onClosed();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes handed to ws but not yet written to the network. */
  get bufferedBytes(): number {
    return this.#socket.bufferedAmount;
  }

  /** Sends a close frame, terminating the connection if the peer does not answer it in time. */
  close(): void {
    if (this.#closed || this.#graceTimer !== undefined) return;
    this.#socket.close(NORMAL_CLOSURE);
    this.#graceTimer = this.#init.clock.schedule(this.#init.limits.closeGraceMs, () => {
      this.#socket.terminate();
    });
  }

  /** Closes at once. */
  destroy(): void {
    this.#socket.terminate();
  }

  /**
   * Sends one message as one frame: a text frame, as browser clients (JsSIP, SIP.js) expect, unless the bytes
   * are not UTF-8 (a binary body), which a text frame may not carry (RFC 7118 §5.2, RFC 6455 §5.6).
   */
  write(bytes: Buffer): Promise<void> {
    if (this.#closed || this.#graceTimer !== undefined || this.#socket.readyState !== this.#socket.OPEN) {
      return Promise.reject(new TransportError(`${this.protocol}: connection ${this.id} is closed`));
    }
    if (this.#socket.bufferedAmount + bytes.length > this.#init.limits.maxQueuedBytes) {
      this.destroy();
      return Promise.reject(new TransportError(`${this.protocol}: connection ${this.id} is not draining`));
    }
    this.#touch();
    return new Promise((resolve, reject) => {
      this.#socket.send(bytes, { binary: !isUtf8(bytes) }, (error) => {
        // Success may come as null (from the socket), whatever the types say.
        if (error instanceof Error)
          reject(new TransportError(`${this.protocol}: write failed: ${error.message}`));
        else resolve();
      });
    });
  }

  #receive(packet: Buffer): void {
    const result = parseDatagram(packet, this.#init.parser);
    switch (result.kind) {
      case 'keepalive':
        return;
      case 'error': {
        const answer = errorAnswer(result.error, this.#source);
        if (answer !== undefined) this.write(answer).catch(() => undefined);
        return;
      }
      case 'message':
        if (result.message.kind === 'request') this.#deadlines.requestCompleted();
        stampIncoming(result.message, this.#source);
        this.#init.onMessage(result.message, this.#source);
        return;
    }
  }

  /**
   * Bytes arrived on the socket (told by the transport before ws reads them): unless a message is already
   * on its way, one starts now, and must be whole (ws's 'message', 'ping' or 'pong') by the message deadline.
   * A chunk that ends one frame and starts the next starts the next one's deadline only with its next chunk.
   */
  bytesArrived(): void {
    if (!this.#deadlines.messagePending) this.#deadlines.messageStarted();
  }

  /** A message (or ping, or pong) is partly received. */
  get receivingMessage(): boolean {
    return this.#deadlines.messagePending;
  }

  #frameEnded(): void {
    this.#deadlines.messageEnded();
    this.#touch();
  }

  #touch(): void {
    this.#deadlines.activity();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#deadlines.stop();
    this.#graceTimer?.cancel();
    this.#init.onClose(this);
  }
}

/** ws hands a message over as one Buffer with binaryType 'nodebuffer'; the other shapes are for safety. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
