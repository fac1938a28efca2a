/**
 * A: the sending client. One connection to the relay (or straight to B for the generator baseline),
 * with the RFC 4976 AUTH exchange and a callback for the responses that come back while it streams.
 */
import type { Socket } from 'node:net';
import { authorization } from './digest.js';
import { connectTo, LOOPBACK, schemeOf, type Transport } from './net.js';
import { endLine, type FrameHead, FrameReader, header, requestHead } from './wire.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The relay's domain, the host of the AUTH To-Path and the digest realm. */
  readonly domain: string;
}

let tidCounter = 0;

/** A fresh transaction id: short, unique within the process. */
export function nextTid(): string {
  tidCounter = (tidCounter + 1) % 0x7fffffff;
  return `t${tidCounter.toString(36)}`;
}

export class ClientA {
  /** Responses while streaming (after AUTH). */
  onResponse: ((head: FrameHead) => void) | undefined;
  #waiter: { resolve: (head: FrameHead) => void; reject: (error: Error) => void } | undefined;
  closed = false;

  private constructor(
    readonly socket: Socket,
    readonly transport: Transport,
    /** A's own URI, the last From-Path entry. */
    readonly uri: string,
  ) {
    const reader = new FrameReader((head) => {
      if (head.status === 0) return; // A never gets requests in these workloads
      const waiter = this.#waiter;
      if (waiter !== undefined) {
        this.#waiter = undefined;
        waiter.resolve(head);
      } else {
        this.onResponse?.(head);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        this.#fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on('error', (error) => {
      this.#fail(error);
    });
    socket.on('close', () => {
      this.#fail(new Error('connection closed'));
    });
  }

  static async connect(port: number, transport: Transport, timeoutMs: number): Promise<ClientA> {
    const socket = await connectTo(port, transport, timeoutMs);
    const id = Math.random().toString(36).slice(2, 12);
    return new ClientA(
      socket,
      transport,
      `${schemeOf(transport)}://${LOOPBACK}:${socket.localPort ?? 0}/${id};tcp`,
    );
  }

  /** The AUTH exchange of RFC 4976 §5 (401 then 200); returns the Use-Path granted. */
  async authenticate(credentials: Credentials, timeoutMs: number): Promise<string> {
    const toPath = `${schemeOf(this.transport)}://${credentials.domain};tcp`;
    const lines = [`To-Path: ${toPath}`, `From-Path: ${this.uri}`];
    const challenge = await this.request('AUTH', lines, timeoutMs);
    const wwwAuthenticate = header(challenge, 'WWW-Authenticate');
    if (challenge.status !== 401 || wwwAuthenticate === undefined) {
      throw new Error(`AUTH: expected 401 with WWW-Authenticate, got ${challenge.status}`);
    }
    const value = authorization(wwwAuthenticate, credentials.username, credentials.password, toPath);
    const ok = await this.request('AUTH', [...lines, `Authorization: ${value}`], timeoutMs);
    const usePath = header(ok, 'Use-Path');
    if (ok.status !== 200 || usePath === undefined) throw new Error(`AUTH: expected 200, got ${ok.status}`);
    return usePath;
  }

  /** Sends a body-less request and waits for its response. */
  request(method: string, lines: readonly string[], timeoutMs: number): Promise<FrameHead> {
    const tid = nextTid();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`${method}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (head) => {
          clearTimeout(timer);
          resolve(head);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.socket.write(requestHead(tid, method, lines, false) + endLine(tid, '$', false), 'latin1');
    });
  }

  close(): void {
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  #fail(error: Error): void {
    this.closed = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
