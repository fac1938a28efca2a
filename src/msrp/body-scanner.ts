/**
 * The body mode of the streaming MSRP parser: finds a message's end-line (`\r\n-------<tid><flag>\r\n`,
 * RFC 4975 §7.1) in the bytes that follow its header section and hands the body on as zero-copy slices of
 * the input, holding back at most one end-line's worth of bytes that could still turn out to be the
 * end-line (so a split end-line never leaks into the body).
 */
import { CR, CRLF, isFlagByte, LF } from './line-grammar.js';

/** Where the scanner's results go: body bytes, and the flag byte of the end-line once it is complete. */
export interface BodySink {
  onBody(slice: Buffer): void;
  onEndLine(flagByte: number): void;
}

type EndLineMatch = 'full' | 'partial' | 'none';

export class BodyScanner {
  // `held` are received bytes not yet delivered because they may start the end-line; the first
  // `heldVirtual` of them are the CRLF that ended the header section, not body bytes.
  #needle: Buffer = CRLF;
  #held: Buffer = CRLF;
  #heldVirtual = 0;

  readonly #sink: BodySink;

  constructor(sink: BodySink) {
    this.#sink = sink;
  }

  /** A body starts: the end-line to look for is the one of transaction `tid`. */
  start(tid: string): void {
    this.#needle = Buffer.from(`\r\n-------${tid}`, 'latin1');
    // The CRLF ending the header section may itself start the end-line of an empty body.
    this.#held = CRLF;
    this.#heldVirtual = 2;
  }

  /** The message ended: let go of its end-line (it holds the tid's text). */
  reset(): void {
    this.#needle = CRLF;
  }

  /** Consumes body bytes from `pos`; returns where the next message starts, or chunk.length. */
  scan(chunk: Buffer, pos: number): number {
    const endLineLength = this.#needle.length + 3;
    if (this.#held.length > 0) {
      const held = this.#held;
      const window = Buffer.concat([held, chunk.subarray(pos, pos + endLineLength)]);
      for (let i = 0; i < held.length; i++) {
        if (window[i] !== CR) continue;
        const match = this.#matchEndLine(window, i);
        if (match === 'none') continue;
        this.#emitHeld(i);
        if (match === 'full') {
          this.#sink.onEndLine(window[i + this.#needle.length] ?? 0);
          return pos + i + endLineLength - held.length;
        }
        this.#hold(window.subarray(i), Math.max(0, this.#heldVirtual - i));
        return chunk.length;
      }
      this.#emitHeld(held.length);
      this.#hold(Buffer.alloc(0), 0);
    }
    for (let from = pos; ; ) {
      const at = chunk.indexOf(this.#needle, from);
      if (at === -1) break;
      const match = this.#matchEndLine(chunk, at);
      if (match === 'full') {
        this.#emitBody(chunk.subarray(pos, at));
        this.#sink.onEndLine(chunk[at + this.#needle.length] ?? 0);
        return at + endLineLength;
      }
      if (match === 'partial') {
        this.#emitBody(chunk.subarray(pos, at));
        this.#hold(Buffer.from(chunk.subarray(at)), 0);
        return chunk.length;
      }
      from = at + 1;
    }
    // No end-line here: keep back the longest tail that is a prefix of the needle.
    for (let s = Math.max(pos, chunk.length - this.#needle.length + 1); s < chunk.length; s++) {
      if (chunk[s] === CR && this.#matchEndLine(chunk, s) === 'partial') {
        this.#emitBody(chunk.subarray(pos, s));
        this.#hold(Buffer.from(chunk.subarray(s)), 0);
        return chunk.length;
      }
    }
    this.#emitBody(chunk.subarray(pos));
    return chunk.length;
  }

  /** Whether buf[at...] is (a prefix of) this message's end-line: needle, flag byte, CRLF. */
  #matchEndLine(buf: Buffer, at: number): EndLineMatch {
    const needle = this.#needle;
    const length = needle.length + 3;
    for (let k = 0; k < length; k++) {
      const byte = buf[at + k];
      if (byte === undefined) return 'partial';
      const ok =
        k < needle.length
          ? byte === needle[k]
          : k === needle.length
            ? isFlagByte(byte)
            : byte === (k === length - 2 ? CR : LF);
      if (!ok) return 'none';
    }
    return 'full';
  }

  #hold(bytes: Buffer, virtual: number): void {
    this.#held = bytes.length === 0 ? bytes : Buffer.from(bytes);
    this.#heldVirtual = virtual;
  }

  #emitHeld(end: number): void {
    if (end > this.#heldVirtual) this.#emitBody(this.#held.subarray(this.#heldVirtual, end));
  }

  #emitBody(slice: Buffer): void {
    if (slice.length > 0) this.#sink.onBody(slice);
  }
}
