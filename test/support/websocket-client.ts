/**
 * The one WebSocket client of the tests, for both subprotocols missive serves:
 * - sylkRTC (sylk spec §1, written from the spec, not from sylkrtc.js): opens `/webrtcgateway/ws` offering
 *   `sylkRTC-2`, keeps every JSON frame it receives in order and answers questions about them: the next
 *   frame, the reply to a transaction, an account event. HA1s are MD5 of `user:domain:password`, as
 *   sylkrtc.js computes them.
 * - SIP over WebSocket (RFC 7118): `WebSocketClient.sip` offers `sip`; every frame is kept raw, and the ones
 *   that parse as SIP messages in `sipMessages`.
 * Either way it records how the connection ended, and every wait has a deadline and names what it waited for.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import type { SipMessage } from '../../src/sip/message/message.js';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import { md5 } from './md5.js';

export type Json = Record<string, unknown>;

export interface RawFrame {
  readonly data: Buffer;
  readonly binary: boolean;
}

/** The HA1 sylkRTC clients send in account-add: MD5 of `user:domain:password`. */
export function ha1(account: string, password: string): string {
  const [user = '', domain = ''] = account.split('@');
  return md5(`${user}:${domain}:${password}`);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export class WebSocketClient {
  /** Every frame received, in order, as it came. */
  readonly rawFrames: RawFrame[] = [];
  /** The frames that parse as JSON (sylkRTC), in order. */
  readonly frames: Json[] = [];
  /** The text of the frames that do not parse as JSON. */
  readonly unparsed: string[] = [];
  /** The frames that parse as SIP messages (RFC 7118), in order. */
  readonly sipMessages: SipMessage[] = [];
  closeCode: number | undefined;
  closeReason = '';
  upgrade: IncomingMessage | undefined;
  /** This end's port, once the handshake is done. */
  localPort = 0;
  #read = 0;
  #waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('upgrade', (response: IncomingMessage) => {
      this.upgrade = response;
      this.localPort = response.socket.localPort ?? 0;
    });
    socket.on('message', (raw: RawData, binary: boolean) => {
      const data = toBuffer(raw);
      this.rawFrames.push({ data, binary });
      const text = data.toString('utf8');
      try {
        this.frames.push(JSON.parse(text) as Json);
      } catch {
        this.unparsed.push(text);
        const sip = parseDatagram(data);
        if (sip.kind === 'message') this.sipMessages.push(sip.message);
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
  ): Promise<WebSocketClient> {
    const client = new WebSocketClient(new WebSocket(url, [...protocols], options));
    await once(client.socket, 'open');
    return client;
  }

  /** Opens a SIP connection: `protocols` default `sip` (RFC 7118 §4). */
  static sip(
    url: string,
    options: ClientOptions = {},
    protocols: readonly string[] = ['sip'],
  ): Promise<WebSocketClient> {
    return WebSocketClient.connect(url, options, protocols);
  }

  /** Opens a sylkRTC connection and reads its ready-event. */
  static async ready(url: string, options: ClientOptions = {}): Promise<WebSocketClient> {
    const client = await WebSocketClient.connect(url, options);
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
        socket.terminate();
      });
      socket.on('error', reject);
    });
  }

  /** The subprotocol the server chose. */
  get protocol(): string {
    return this.socket.protocol;
  }

  get closed(): boolean {
    return this.closeCode !== undefined;
  }

  /** Sends a raw frame: text, or binary when `binary`. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Sends a raw text frame. */
  sendText(text: string): void {
    this.sendRaw(text);
  }

  /** Sends `request` with a fresh transaction unless it has a `transaction` key; returns the transaction. */
  send(request: Json): unknown {
    const transaction = 'transaction' in request ? request.transaction : randomUUID();
    this.socket.send(JSON.stringify({ ...request, transaction }));
    return transaction;
  }

  /** The next JSON frame not yet read. */
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

  /** Sends `request` and waits for its ack or error, whatever other frames arrive in between. */
  async request(request: Json, timeoutMs = 15_000): Promise<Json> {
    const transaction = this.send(request);
    return this.received(
      `the reply to ${String(request.sylkrtc)}`,
      (frame) => frame.transaction === transaction && (frame.sylkrtc === 'ack' || frame.sylkrtc === 'error'),
      timeoutMs,
    );
  }

  /** The first JSON frame received so far (or later, waited for) that matches; does not move next()'s place. */
  async received(what: string, match: (frame: Json) => boolean, timeoutMs = 15_000): Promise<Json> {
    let found: Json | undefined;
    await this.#until(
      () => {
        found = this.frames.find(match);
        return found !== undefined;
      },
      timeoutMs,
      what,
    );
    if (found === undefined) throw new Error(`no ${what}`);
    return found;
  }

  /** The account events of `event` received so far (in order), of `account` when given. */
  events(event: string, account?: string): Json[] {
    return this.frames.filter(
      (frame) =>
        frame.sylkrtc === 'account-event' &&
        frame.event === event &&
        (account === undefined || frame.account === account),
    );
  }

  /**
   * Adds `account` with the HA1 of `password`, registers it and waits for `registered` (sylk spec §1.7.1):
   * from then on the connection is a device of the account.
   */
  async register(account: string, password: string): Promise<void> {
    const added = await this.request({ sylkrtc: 'account-add', account, password: ha1(account, password) });
    if (added.sylkrtc !== 'ack') throw new Error(`account-add ${account}: ${JSON.stringify(added)}`);
    const registering = await this.request({ sylkrtc: 'account-register', account });
    if (registering.sylkrtc !== 'ack')
      throw new Error(`account-register ${account}: ${JSON.stringify(registering)}`);
    const state = await this.received(
      `${account} registered or failed`,
      (frame) =>
        frame.event === 'registration-state' &&
        frame.account === account &&
        (frame.state === 'registered' || frame.state === 'failed'),
    );
    if (state.state !== 'registered') throw new Error(`${account}: ${JSON.stringify(state)}`);
  }

  /**
   * Sends account-sync-conversations and returns its `sync-conversations` event (the ack first, sylk spec
   * §1.4.8); `fields`: message_id, since, limit as the test wants them (absent: not sent).
   */
  async sync(account: string, fields: Json = {}): Promise<Json> {
    const before = this.events('sync-conversations', account).length;
    const reply = await this.request({ sylkrtc: 'account-sync-conversations', account, ...fields });
    if (reply.sylkrtc !== 'ack') throw new Error(`sync ${account}: ${JSON.stringify(reply)}`);
    await this.#until(
      () => this.events('sync-conversations', account).length > before,
      15_000,
      `the sync-conversations of ${account}`,
    );
    const event = this.events('sync-conversations', account)[before];
    if (event === undefined) throw new Error('no sync-conversations');
    return event;
  }

  /** Waits for the connection to close. */
  async closedWith(timeoutMs = 10_000): Promise<{ code: number | undefined; reason: string }> {
    await this.#until(() => this.closed, timeoutMs, 'the close');
    return { code: this.closeCode, reason: this.closeReason };
  }

  /** Starts a closing handshake. */
  close(): void {
    this.socket.close();
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
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
