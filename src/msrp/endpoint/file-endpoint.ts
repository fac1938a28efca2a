/**
 * missive's own MSRP endpoint for file transfers (RFC 4975 as an endpoint, not a relay; RFC 5547): a TCP
 * listener whose sessions are opened by the SIP side for each accepted INVITE (its URI goes in the SDP
 * answer's a=path) and found again by the session id of the last To-Path URI of each request. The peer
 * connects to it (we answer a=setup:passive), directly or through its relay (RFC 4976: the relay opens the
 * connection toward the last hop, us). Responses go back along the request's From-Path (RFC 4975 §7.2, which
 * relays forward end to end); REPORTs as the sender asks (RFC 4975 §7.1.2: Success-Report, Failure-Report).
 * Parse errors close the connection; a request for an unknown session gets 481; a method other than SEND
 * or REPORT gets 501.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../time/clock.js';
import type { ContinuationFlag, MsrpHead } from '../message.js';
import { MsrpParser } from '../parser.js';
import { parseMsrpPath } from '../uri.js';
import { bodilessMessage, response } from '../wire.js';
import { FileSession, type SessionEnd } from './file-session.js';

export interface FileEndpointOptions {
  /** Where to listen. */
  readonly host: string;
  readonly port: number;
  /** The host in the URIs we advertise (the SIP side's advertised address). */
  readonly advertisedHost: string;
  /** A session that neither gets nor sends a byte for so long is cut. */
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
}

export interface OpenSession {
  readonly direction: 'push' | 'pull';
  readonly expectedBytes: number;
  readonly onEnd: (session: FileSession, end: SessionEnd) => void;
}

/** What is being read on a connection: the SEND whose body goes to a session (or is skipped). */
interface Reading {
  readonly head: MsrpHead;
  readonly session: FileSession | undefined;
  skip: number;
}

const BYTE_RANGE = /^([0-9]{1,15})-([0-9]{1,15}|\*)\/([0-9]{1,15}|\*)$/;

export class MsrpFileEndpoint {
  readonly #options: FileEndpointOptions;
  readonly #sessions = new Map<string, FileSession>();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;

  constructor(options: FileEndpointOptions) {
    this.#options = options;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => {
      this.#accept(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#options.host, port: this.#options.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    return { host: this.#options.host, port: this.#port };
  }

  async stop(): Promise<void> {
    for (const session of this.#sessions.values()) session.cut('server stopping');
    for (const socket of this.#sockets) socket.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined)
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
  }

  get advertisedHost(): string {
    return this.#options.advertisedHost;
  }

  get port(): number {
    return this.#port;
  }

  /** A new session; its `uri` is the a=path of the SDP answer. */
  open(options: OpenSession): FileSession {
    const id = randomBytes(12).toString('base64url');
    const host = this.#options.advertisedHost.includes(':')
      ? `[${this.#options.advertisedHost}]`
      : this.#options.advertisedHost;
    const session = new FileSession({
      id,
      uri: `msrp://${host}:${String(this.#port)}/${id};tcp`,
      direction: options.direction,
      expectedBytes: options.expectedBytes,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      clock: this.#options.clock,
      onEnd: (ended, end) => {
        this.#sessions.delete(ended.id);
        options.onEnd(ended, end);
      },
    });
    this.#sessions.set(id, session);
    return session;
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    const bound = new Set<FileSession>();
    let reading: Reading | undefined;
    const parser = new MsrpParser({
      onHead: (head) => {
        reading = this.#onHead(socket, head, bound);
      },
      onBody: (slice) => {
        const current = reading;
        if (current?.session === undefined || current.session.direction !== 'push') return;
        let body = slice;
        if (current.skip > 0) {
          const skipped = Math.min(current.skip, body.length);
          current.skip -= skipped;
          body = body.subarray(skipped);
        }
        if (!current.session.write(body)) {
          // The disk is behind: read no more until it drained, or until the session is gone (cut).
          socket.pause();
          const resume = (): void => {
            socket.resume();
          };
          current.session.incoming.once('drain', resume);
          current.session.incoming.once('close', resume);
        }
      },
      onEnd: (flag) => {
        const current = reading;
        reading = undefined;
        if (current !== undefined) this.#onEnd(socket, current, flag);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.feed(chunk);
      } catch (error) {
        this.#options.logger?.info({ err: error }, 'MSRP file endpoint: unreadable input, closing');
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    // A connection that carries no live session for an idle period is closed (a stray or finished one).
    let check: Timer | undefined;
    const closeWhenIdle = (): void => {
      check = this.#options.clock.schedule(this.#options.idleTimeoutMs, () => {
        if ([...bound].some((session) => session.ended === undefined)) closeWhenIdle();
        else socket.destroy();
      });
    };
    closeWhenIdle();
    socket.on('close', () => {
      check?.cancel();
      this.#sockets.delete(socket);
      for (const session of bound) session.cut('connection closed');
    });
  }

  #onHead(socket: Socket, head: MsrpHead, bound: Set<FileSession>): Reading | undefined {
    if (head.method === undefined) return undefined; // a response to one of our SENDs (pull): nothing to do
    const to = parseMsrpPath(head.headers.get('To-Path') ?? '');
    const from = head.headers.get('From-Path');
    if (to === undefined || from === undefined || parseMsrpPath(from) === undefined) {
      socket.destroy(); // nothing to address an answer to (RFC 4975 §7.3)
      return undefined;
    }
    const us = to.at(-1)?.text ?? '';
    if (head.method === 'REPORT') return undefined;
    if (head.method !== 'SEND') {
      socket.write(response(head, 501, 'Unknown method', from, us));
      return undefined;
    }
    const session = this.#sessions.get(to.at(-1)?.sessionId ?? '');
    if (session === undefined || !session.bind(socket)) {
      socket.write(response(head, 481, 'No such session', from, us));
      return { head, session: undefined, skip: 0 };
    }
    bound.add(session);
    session.touch();
    let skip = 0;
    if (session.direction === 'push' && head.hasBody) {
      const range = BYTE_RANGE.exec(head.headers.get('Byte-Range') ?? '1-*/*');
      const start = range === null ? undefined : Number(range[1]);
      const found = start === undefined || start < 1 ? undefined : session.chunkStarts(start);
      if (found === undefined) {
        socket.write(response(head, 400, 'Bad Byte-Range', from, us));
        socket.destroy();
        return undefined;
      }
      skip = found;
    }
    return { head, session, skip };
  }

  #onEnd(socket: Socket, reading: Reading, flag: ContinuationFlag): void {
    const { head, session } = reading;
    if (session === undefined) return;
    const from = head.headers.get('From-Path') ?? '';
    const report = (head.headers.get('Failure-Report') ?? 'yes').toLowerCase();
    if (flag === '#') session.cut('the sender aborted the message');
    else if (flag === '$') session.lastChunkEnded();
    // RFC 4975 §7.2: a 200 unless the sender asked for none (Failure-Report: no, or partial when all is well).
    if (report === 'yes') socket.write(response(head, 200, 'OK', from, session.uri));
    if (
      flag === '$' &&
      session.direction === 'push' &&
      session.ended?.kind === 'whole' &&
      (head.headers.get('Success-Report') ?? 'no').toLowerCase() === 'yes'
    ) {
      const total = String(session.expectedBytes);
      const tid = randomBytes(8).toString('hex');
      socket.write(
        bodilessMessage(
          `MSRP ${tid} REPORT`,
          from,
          session.uri,
          [
            { name: 'Message-ID', value: head.headers.get('Message-ID') ?? '' },
            { name: 'Byte-Range', value: `1-${total}/${total}` },
            { name: 'Status', value: '000 200 OK' },
          ],
          tid,
        ),
      );
    }
    if (session.direction === 'pull') session.peerBound(from);
  }
}
