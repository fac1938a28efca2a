/**
 * One MSRP file-transfer session at missive's own endpoint (RFC 4975 as an endpoint, RFC 5547): push, the
 * peer SENDs the file and its bytes come out of `incoming` in order; or pull, the peer binds the session with
 * a SEND (empty, RFC 4975 §5.4: the active side sends first) and missive SENDs the file back in chunks.
 * A session ends once: whole (push: every announced byte arrived; pull: every byte written), or cut (the
 * connection closed, an aborted chunk `#`, a gap in the byte ranges, the idle timer), and a cut destroys
 * `incoming`, so that whatever writes it to disk drops what it had.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { Clock, Timer } from '../../time/clock.js';

export type SessionEnd = { readonly kind: 'whole' } | { readonly kind: 'cut'; readonly reason: string };

export interface FileSessionOptions {
  readonly id: string;
  readonly uri: string;
  readonly direction: 'push' | 'pull';
  /** Push: the file's size from the offer's file-selector; the session is whole at this many bytes. */
  readonly expectedBytes: number;
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
  readonly onEnd: (session: FileSession, end: SessionEnd) => void;
}

/** Bytes per SEND when missive sends a file (RFC 4975 §7.1.1 wants chunks a relay can handle; 2 KiB to 64 KiB is usual). */
const CHUNK_BYTES = 64 * 1024;

export class FileSession {
  readonly id: string;
  readonly uri: string;
  readonly direction: 'push' | 'pull';
  readonly expectedBytes: number;
  /** Push: the file's bytes, in order; destroyed when the session is cut. */
  readonly incoming = new PassThrough({ highWaterMark: 256 * 1024 });
  #received = 0;
  #ended: SessionEnd | undefined;
  #idle: Timer | undefined;
  #socket: Socket | undefined;
  #peerPath: ((toPath: string) => void) | undefined;
  /** Pull: the path back to the peer, once its first SEND bound the session. */
  readonly peerReady: Promise<string>;
  readonly #options: FileSessionOptions;

  constructor(options: FileSessionOptions) {
    this.#options = options;
    this.id = options.id;
    this.uri = options.uri;
    this.direction = options.direction;
    this.expectedBytes = options.expectedBytes;
    this.peerReady = new Promise((resolve) => {
      this.#peerPath = resolve;
    });
    this.incoming.on('error', () => undefined); // a cut is told through onEnd; the reader sees it as an abort
    this.touch();
  }

  get ended(): SessionEnd | undefined {
    return this.#ended;
  }

  get received(): number {
    return this.#received;
  }

  /** Restarts the idle timer: a session that neither gets nor sends a byte for so long is cut. */
  touch(): void {
    if (this.#ended !== undefined) return;
    this.#idle?.cancel();
    this.#idle = this.#options.clock.schedule(this.#options.idleTimeoutMs, () => {
      this.cut('idle');
    });
  }

  /** The connection the peer bound the session on (its first SEND). */
  bind(socket: Socket): boolean {
    if (this.#socket !== undefined && this.#socket !== socket) return false;
    this.#socket = socket;
    return true;
  }

  /** Pull: the peer's first SEND arrived; `toPath` (its From-Path) is where the file goes. */
  peerBound(toPath: string): void {
    this.#peerPath?.(toPath);
    this.#peerPath = undefined;
  }

  /**
   * Push: where a chunk's body starts (its Byte-Range start, 1-based). A chunk that repeats bytes already
   * received has them skipped; one that leaves a gap cuts the session (missive writes the file as it goes).
   * Returns how many leading bytes of the chunk to skip, or undefined when the session is cut.
   */
  chunkStarts(start: number): number | undefined {
    if (start - 1 > this.#received) {
      this.cut(`a gap in the byte ranges (at ${String(start)}, ${String(this.#received)} received)`);
      return undefined;
    }
    return this.#received - (start - 1);
  }

  /** Push: bytes of the file; false when the reader wants a pause (the caller stops reading the socket). */
  write(bytes: Buffer): boolean {
    if (this.#ended !== undefined || bytes.length === 0) return true;
    if (this.#received + bytes.length > this.expectedBytes) {
      this.cut('more bytes than the file-selector size');
      return true;
    }
    this.#received += bytes.length;
    this.touch();
    const more = this.incoming.write(bytes);
    if (this.#received === this.expectedBytes) this.#finish();
    return more;
  }

  /** Push: a chunk ended with `$`; a file of 0 bytes (or one whose last bytes came already) is whole here. */
  lastChunkEnded(): void {
    if (this.direction === 'push' && this.#received === this.expectedBytes) this.#finish();
  }

  /** Pull: sends `source` (`size` bytes of `type`) in SEND chunks to `toPath`, honouring the socket's back-pressure. */
  async sendFile(source: Readable, size: number, type: string, toPath: string): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) throw new Error('the session is not bound');
    const messageId = randomBytes(10).toString('hex');
    let sent = 0;
    let pending = Buffer.alloc(0);
    const flush = async (body: Buffer, last: boolean): Promise<void> => {
      let tid = randomBytes(8).toString('hex');
      // RFC 4975 §7.1: the end-line must not occur in the body.
      while (body.includes(`-------${tid}`)) tid = randomBytes(8).toString('hex');
      const head =
        `MSRP ${tid} SEND\r\nTo-Path: ${toPath}\r\nFrom-Path: ${this.uri}\r\nMessage-ID: ${messageId}\r\n` +
        `Byte-Range: ${String(sent + 1)}-${String(sent + body.length)}/${String(size)}\r\n` +
        `Success-Report: no\r\nFailure-Report: no\r\nContent-Type: ${type}\r\n\r\n`;
      sent += body.length;
      const ok = socket.write(
        Buffer.concat([Buffer.from(head), body, Buffer.from(`\r\n-------${tid}${last ? '$' : '+'}\r\n`)]),
      );
      this.touch();
      if (!ok && !socket.destroyed) await once(socket, 'drain');
    };
    for await (const chunk of source) {
      if (this.#ended !== undefined) return;
      pending = Buffer.concat([pending, chunk as Buffer]);
      while (pending.length >= CHUNK_BYTES && sent + CHUNK_BYTES < size) {
        await flush(pending.subarray(0, CHUNK_BYTES), false);
        pending = pending.subarray(CHUNK_BYTES);
      }
    }
    if (this.#ended !== undefined) return;
    await flush(pending, true);
    if (sent === size) this.#finish();
    else this.cut('the stored file changed size');
  }

  /** Ends the session as cut; what was received is dropped by the reader of `incoming`. */
  cut(reason: string): void {
    if (this.#ended !== undefined) return;
    this.#ended = { kind: 'cut', reason };
    this.#idle?.cancel();
    this.incoming.destroy(new Error(`MSRP session cut: ${reason}`));
    this.#options.onEnd(this, this.#ended);
  }

  #finish(): void {
    if (this.#ended !== undefined) return;
    this.#ended = { kind: 'whole' };
    this.#idle?.cancel();
    this.incoming.end();
    this.#options.onEnd(this, this.#ended);
  }
}
