// One MSRP connection (client side or accepted by an endpoint): writes raw bytes, and reads complete
// messages with the harness's own FrameReader. Every wait takes a timeout.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { type Flag, FrameReader, type FrameSink, type MessageHead } from './frame-reader.js';
import { type MsrpMessage, show } from './message.js';
import { sleep } from '../../support/wait.js';

/** Receives messages as they stream in, instead of queueing them (for large transfers). */
export interface StreamHandler {
  head(head: MessageHead): void;
  body(slice: Buffer): void;
  end(flag: Flag): void;
}

const DEFAULT_WAIT_MS = 3000;

export class MsrpConnection {
  readonly messages: MsrpMessage[] = [];
  bytesReceived = 0;
  closed = false;
  protocolError: string | undefined;
  socketError: Error | undefined;

  readonly #reader: FrameReader;
  readonly #changed = new EventEmitter();
  #partial: { head: MessageHead; body: Buffer[] } | undefined;
  #stream: StreamHandler | undefined;
  #recent: Buffer = Buffer.alloc(0);
  #readRate: { bytesPerSecond: number; start: number; bytes: number } | undefined;

  constructor(readonly socket: Socket) {
    this.#changed.setMaxListeners(0);
    this.#reader = new FrameReader(this.#sink());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('error', (err) => {
      this.socketError = err;
    });
    socket.on('close', () => {
      this.closed = true;
      this.#changed.emit('change');
    });
  }

  /** Delivers messages to `handler` as they stream in; they are then not queued. */
  setStreamHandler(handler: StreamHandler | undefined): void {
    this.#stream = handler;
  }

  /** Reads at most `bytesPerSecond` on average, by pausing the socket (a slow consumer). */
  limitReadRate(bytesPerSecond: number): void {
    this.#readRate = { bytesPerSecond, start: performance.now(), bytes: 0 };
  }

  /** Writes bytes; resolves once Node has handed them to the kernel. */
  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Writes and, if the socket is congested, waits for 'drain' (bounded by timeoutMs). */
  async writeWithBackpressure(data: Buffer, timeoutMs = 30_000): Promise<void> {
    if (this.socket.write(data)) return;
    await this.waitUntil(
      () => {
        if (this.closed) throw new Error('connection closed while waiting for drain');
        return this.socket.writableNeedDrain ? undefined : true;
      },
      timeoutMs,
      'drain',
    );
  }

  /** Writes `data` cut at the given offsets, pausing `gapMs` between pieces so they arrive as separate reads. */
  async writeInPieces(data: Buffer, cuts: readonly number[], gapMs: number): Promise<void> {
    let from = 0;
    for (const cut of [...cuts, data.length]) {
      if (cut <= from) continue;
      await this.write(data.subarray(from, cut));
      from = cut;
      if (from < data.length) await sleep(gapMs);
    }
  }

  /** The next complete message; rejects on timeout, close or a framing error. */
  nextMessage(timeoutMs = DEFAULT_WAIT_MS): Promise<MsrpMessage> {
    return this.waitUntil(
      () => {
        const msg = this.messages.shift();
        if (msg) return msg;
        this.#throwIfBroken('a message');
        return undefined;
      },
      timeoutMs,
      'a message',
    );
  }

  /** The next `count` messages, in order. */
  async nextMessages(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<MsrpMessage[]> {
    const out: MsrpMessage[] = [];
    while (out.length < count) out.push(await this.nextMessage(timeoutMs));
    return out;
  }

  /** Resolves when the peer closes; fails if a complete message arrives first. */
  expectClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitUntil(
      () => {
        const msg = this.messages.shift();
        if (msg) throw new Error(`expected the connection to close, but received:\n${show(msg)}`);
        if (this.protocolError) throw new Error(`framing error before close: ${this.protocolError}`);
        return this.closed ? true : undefined;
      },
      timeoutMs,
      'the connection to close',
    ).then(() => undefined);
  }

  /** Fails if any byte arrives or the connection closes within `ms`. */
  async expectNothing(ms: number): Promise<void> {
    const before = this.bytesReceived;
    await sleep(ms);
    if (this.bytesReceived !== before || this.messages.length > 0) {
      throw new Error(`expected nothing for ${ms} ms, but received: ${this.describe()}`);
    }
    if (this.closed) throw new Error(`expected nothing for ${ms} ms, but the connection closed`);
  }

  /** Waits until the raw input ends with `tail` (for a message still in progress). */
  waitForRawTail(tail: Buffer | string, timeoutMs = DEFAULT_WAIT_MS): Promise<true> {
    const t = Buffer.from(tail);
    return this.waitUntil(
      () => {
        if (this.#recent.subarray(-t.length).equals(t)) return true;
        this.#throwIfBroken(`bytes ending with ${JSON.stringify(t.toString('latin1'))}`);
        return undefined;
      },
      timeoutMs,
      `bytes ending with ${JSON.stringify(t.toString('latin1'))}`,
    );
  }

  /** Resolves with `check()`'s first non-undefined value; re-checked whenever something arrives. */
  waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        this.#changed.off('change', onChange);
        this.socket.off('drain', onChange);
        fn();
      };
      const onChange = (): void => {
        try {
          const value = check();
          if (value !== undefined)
            finish(() => {
              resolve(value);
            });
        } catch (err) {
          finish(() => {
            reject(err instanceof Error ? err : new Error(String(err)));
          });
        }
      };
      const timer = setTimeout(() => {
        finish(() => {
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.describe()}`));
        });
      }, timeoutMs);
      this.#changed.on('change', onChange);
      this.socket.on('drain', onChange);
      onChange();
    });
  }

  /** Half-closes (FIN) after pending writes. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  describe(): string {
    const parts = [`${this.bytesReceived} bytes received`, `${this.messages.length} queued`];
    if (this.closed) parts.push('closed');
    if (this.protocolError) parts.push(`framing error: ${this.protocolError}`);
    if (this.socketError) parts.push(`socket error: ${this.socketError.message}`);
    const head = this.messages[0];
    if (head) parts.push(`first queued:\n${show(head)}`);
    else if (this.#recent.length > 0) parts.push(`last bytes:\n${show(this.#recent.subarray(-300))}`);
    return parts.join(', ');
  }

  #throwIfBroken(what: string): void {
    if (this.protocolError) throw new Error(`framing error while waiting for ${what}: ${this.protocolError}`);
    if (this.closed) throw new Error(`connection closed while waiting for ${what}; ${this.describe()}`);
  }

  #onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.#recent = Buffer.concat([this.#recent, chunk]).subarray(-4096);
    this.#reader.push(chunk);
    this.#throttle(chunk.length);
    this.#changed.emit('change');
  }

  #throttle(bytes: number): void {
    const rate = this.#readRate;
    if (!rate) return;
    rate.bytes += bytes;
    const dueMs = (rate.bytes / rate.bytesPerSecond) * 1000 - (performance.now() - rate.start);
    if (dueMs <= 1) return;
    this.socket.pause();
    setTimeout(() => {
      if (!this.socket.destroyed) this.socket.resume();
    }, dueMs).unref();
  }

  #sink(): FrameSink {
    return {
      head: (head) => {
        if (this.#stream) this.#stream.head(head);
        else this.#partial = { head, body: [] };
      },
      body: (slice) => {
        if (this.#stream) this.#stream.body(slice);
        else this.#partial?.body.push(Buffer.from(slice));
      },
      end: (flag, endLine) => {
        if (this.#stream) {
          this.#stream.end(flag);
          return;
        }
        const partial = this.#partial;
        if (!partial) return;
        this.#partial = undefined;
        const body = partial.head.hasBody ? Buffer.concat(partial.body) : undefined;
        const bytes = Buffer.concat([partial.head.raw, body ?? Buffer.alloc(0), endLine]);
        this.messages.push({ ...partial.head, body, flag, bytes });
      },
      error: (reason) => {
        this.protocolError = reason;
      },
    };
  }
}
