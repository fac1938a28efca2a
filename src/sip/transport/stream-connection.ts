/**
 * One TCP or TLS connection (RFC 3261 §18.3): bytes in through a SipStreamParser, messages out with
 * back-pressure bounded by maxQueuedBytes. Keepalive pings get a CRLF pong (RFC 5626 §3.5.1). A fatal parse
 * error is answered (for a reject) and the connection closed; so is a peer that does not read, and one that
 * misses a deadline of connection-deadlines.ts (idle, no request yet, a message arriving too slowly).
 * Nothing here throws into the socket's event handlers.
 */
import type { Socket } from 'node:net';
import type { SipMessage } from '../message/message.js';
import type { SipParseError } from '../parser/errors.js';
import type { ParserConfig } from '../parser/limits.js';
import { SipStreamParser } from '../parser/stream.js';
import type { Clock, Timer } from '../../time/clock.js';
import { ConnectionDeadlines, type ConnectionTimeouts, type Expiry } from './connection-deadlines.js';
import type { Connection } from './connection-table.js';
import { errorAnswer, stampIncoming } from './incoming.js';
import { type LocalAddress, type MessageSource, TransportError, type TransportProtocol } from './types.js';

const PONG = Buffer.from('\r\n');

export interface StreamConnectionLimits extends ConnectionTimeouts {
  /** Bytes written but not yet taken by the peer; above, the connection is closed. */
  readonly maxQueuedBytes: number;
  /** After a close we started, the socket is destroyed if the peer has not closed its side by then. */
  readonly closeGraceMs: number;
}

export interface StreamConnectionInit {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly socket: Socket;
  readonly parser: ParserConfig;
  readonly limits: StreamConnectionLimits;
  readonly clock: Clock;
  readonly onMessage: (message: SipMessage, source: MessageSource) => void;
  readonly onClose: (connection: StreamConnection) => void;
  /** Told why a deadline closed the connection (for a log line). */
  readonly onExpired?: ((connection: StreamConnection, expiry: Expiry) => void) | undefined;
  /** A connection we opened (Connection.outbound). */
  readonly outbound?: boolean | undefined;
  /** A TLS connection we opened: the name its certificate was checked against (Connection.serverName). */
  readonly serverName?: string | undefined;
}

export class StreamConnection implements Connection {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly serverName: string | undefined;
  readonly outbound: boolean;
  readonly local: LocalAddress;
  readonly #socket: Socket;
  readonly #parser: SipStreamParser;
  readonly #init: StreamConnectionInit;
  readonly #source: MessageSource;
  readonly #deadlines: ConnectionDeadlines;
  /** Messages completed so far: tells whether a chunk ended one message and began the next. */
  #completed = 0;
  #graceTimer: Timer | undefined;
  #closed = false;

  constructor(init: StreamConnectionInit) {
    this.#init = init;
    this.id = init.id;
    this.protocol = init.protocol;
    this.#socket = init.socket;
    this.remoteHost = init.socket.remoteAddress ?? '';
    this.remotePort = init.socket.remotePort ?? 0;
    this.serverName = init.serverName;
    this.outbound = init.outbound ?? false;
    this.local = { host: init.socket.localAddress ?? '', port: init.socket.localPort ?? 0 };
    this.#source = {
      transport: init.protocol,
      host: this.remoteHost,
      port: this.remotePort,
      connectionId: init.id,
      local: this.local,
    };
    this.#parser = new SipStreamParser(
      {
        onMessage: (message) => {
          this.#onMessage(message);
        },
        onPing: () => {
          this.write(PONG).catch(() => undefined);
        },
        onError: (error, fatal) => {
          this.#onParseError(error, fatal);
        },
      },
      init.parser,
    );
    this.#deadlines = new ConnectionDeadlines({
      clock: init.clock,
      timeouts: init.limits,
      outbound: this.outbound,
      onExpired: (expiry) => {
        init.onExpired?.(this, expiry);
        this.close();
      },
    });
    const socket = init.socket;
    socket.on('data', (chunk: Buffer) => {
      this.#receive(chunk);
    });
    socket.on('error', () => {
      // 'close' follows.
    });
    socket.on('close', () => {
      this.#onClosed();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes held by the parser for a message not yet complete (bounded by the parser limits). */
  get bufferedBytes(): number {
    return this.#parser.bufferedBytes;
  }

  /** Ends the connection cleanly (FIN after pending output), destroying it if the peer lingers. */
  close(): void {
    if (this.#closed || this.#graceTimer !== undefined) return;
    this.#socket.end();
    this.#graceTimer = this.#init.clock.schedule(this.#init.limits.closeGraceMs, () => {
      this.#socket.destroy();
    });
  }

  /** Closes at once. */
  destroy(): void {
    this.#socket.destroy();
  }

  /** Queues bytes; rejects with a TransportError when the connection is closed or not draining. */
  write(bytes: Buffer): Promise<void> {
    if (this.#closed || this.#graceTimer !== undefined || this.#socket.writableEnded) {
      return Promise.reject(new TransportError(`${this.protocol}: connection ${this.id} is closed`));
    }
    if (this.#socket.writableLength + bytes.length > this.#init.limits.maxQueuedBytes) {
      this.destroy();
      return Promise.reject(new TransportError(`${this.protocol}: connection ${this.id} is not draining`));
    }
    this.#deadlines.activity();
    return new Promise((resolve, reject) => {
      this.#socket.write(bytes, (error) => {
        if (error === undefined || error === null) resolve();
        else reject(new TransportError(`${this.protocol}: write failed: ${error.message}`));
      });
    });
  }

  #receive(chunk: Buffer): void {
    const deadlines = this.#deadlines;
    deadlines.activity();
    const completedBefore = this.#completed;
    this.#parser.feed(chunk);
    if (this.#parser.idle) deadlines.messageEnded();
    // A message began in this chunk: the first, or one after a message this chunk completed.
    else if (!deadlines.messagePending || this.#completed !== completedBefore) deadlines.messageStarted();
  }

  #onMessage(message: SipMessage): void {
    this.#completed++;
    if (message.kind === 'request') this.#deadlines.requestCompleted();
    stampIncoming(message, this.#source);
    this.#init.onMessage(message, this.#source);
  }

  #onParseError(error: SipParseError, fatal: boolean): void {
    const answer = errorAnswer(error, this.#source);
    if (answer !== undefined) this.write(answer).catch(() => undefined);
    if (fatal) this.close();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#deadlines.stop();
    this.#graceTimer?.cancel();
    this.#init.onClose(this);
  }
}
