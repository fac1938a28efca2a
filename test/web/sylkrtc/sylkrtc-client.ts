/**
 * A sylkRTC client written from sylk spec §1 (not from sylkrtc.js): opens `/webrtcgateway/ws` offering
 * `sylkRTC-2`, keeps every frame it receives in order, and answers questions about them: the next frame, the
 * reply to a transaction, an account event. HA1s are computed here with node:crypto, as sylkrtc.js does
 * (MD5 of `user:domain:password`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { type ClientOptions, type RawData, WebSocket } from 'ws';

export type Json = Record<string, unknown>;

export function ha1(account: string, password: string): string {
  const [user = '', domain = ''] = account.split('@');
  return createHash('md5').update(`${user}:${domain}:${password}`).digest('hex');
}

export class SylkRtcClient {
  readonly frames: Json[] = [];
  readonly unparsed: string[] = [];
  closeCode: number | undefined;
  closeReason = '';
  upgrade: IncomingMessage | undefined;
  #read = 0;
  #waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('upgrade', (response: IncomingMessage) => {
      this.upgrade = response;
    });
    socket.on('message', (data: RawData) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      const text = bytes.toString('utf8');
      try {
        this.frames.push(JSON.parse(text) as Json);
      } catch {
        this.unparsed.push(text);
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', (code: number, reason: Buffer) => {
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      this.#wake();
    });
  }

  /** Opens a connection (rejects when the handshake fails); `protocols` default `sylkRTC-2`. */
  static async connect(
    url: string,
    options: ClientOptions = {},
    protocols: readonly string[] = ['sylkRTC-2'],
  ): Promise<SylkRtcClient> {
    const client = new SylkRtcClient(new WebSocket(url, [...protocols], options));
    await once(client.socket, 'open');
    return client;
  }

  /** Opens a connection and reads its ready-event. */
  static async ready(url: string, options: ClientOptions = {}): Promise<SylkRtcClient> {
    const client = await SylkRtcClient.connect(url, options);
    const first = await client.next();
    if (first.sylkrtc !== 'ready-event') throw new Error(`first frame ${JSON.stringify(first)}`);
    return client;
  }

  /** The HTTP status of a refused handshake (0: accepted). */
  static refusal(url: string, protocols: readonly string[], options: ClientOptions = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, [...protocols], options);
      socket.on('unexpected-response', (_request, response: IncomingMessage) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => {
        resolve(0);
        socket.close();
      });
      socket.on('error', reject);
    });
  }

  get closed(): boolean {
    return this.closeCode !== undefined;
  }

  /** Sends a raw text frame. */
  sendText(text: string): void {
    this.socket.send(text);
  }

  /** Sends `request` with a fresh transaction unless it has a `transaction` key; returns the transaction. */
  send(request: Json): unknown {
    const transaction = 'transaction' in request ? request.transaction : randomUUID();
    this.socket.send(JSON.stringify({ ...request, transaction }));
    return transaction;
  }

  /** The next frame not yet read. */
  async next(timeoutMs = 10_000): Promise<Json> {
    await this.#until(() => this.frames.length > this.#read, timeoutMs, 'a frame');
    const frame = this.frames[this.#read++];
    if (frame === undefined) throw new Error('no frame');
    return frame;
  }

  /** Sends `request` and returns the next frame: its ack or error, when nothing else is due before it. */
  async call(request: Json): Promise<Json> {
    const transaction = this.send(request);
    const reply = await this.next();
    if (reply.transaction !== transaction) throw new Error(`not the reply: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Waits for the connection to close. */
  async closedWith(timeoutMs = 10_000): Promise<{ code: number | undefined; reason: string }> {
    await this.#until(() => this.closed, timeoutMs, 'the close');
    return { code: this.closeCode, reason: this.closeReason };
  }

  close(): void {
    this.socket.close();
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.socket.terminate();
    await this.#until(() => this.closed, 5000, 'the close').catch(() => undefined);
  }

  async #until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.closed && !ready())
        throw new Error(`closed (${String(this.closeCode)}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
