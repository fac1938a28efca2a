/**
 * Streaming MSRP parser (RFC 4975 §7/§8). Works on Buffers end to end: only start lines and header lines
 * are decoded; bodies are delivered as zero-copy slices of the input, holding back at most one end-line's
 * worth of bytes that could still turn out to be the end-line (so a split end-line never leaks into the body).
 */
import { isUtf8 } from 'node:buffer';
import { type ContinuationFlag, HeaderList, type MsrpHead } from './message.js';

export interface ParserLimits {
  /** Longest start or header line, without its CRLF. */
  readonly maxLineLength: number;
  readonly maxHeaderLines: number;
  readonly maxTidLength: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxLineLength: 16384,
  maxHeaderLines: 64,
  maxTidLength: 64,
};

export type ProtocolErrorKind =
  | 'line-too-long'
  | 'too-many-headers'
  | 'invalid-utf8'
  | 'invalid-transaction-id'
  | 'invalid-start-line';

export class MsrpProtocolError extends Error {
  constructor(
    readonly kind: ProtocolErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'MsrpProtocolError';
  }
}

export interface ParserHandler {
  onHead(head: MsrpHead): void;
  onBody(slice: Buffer): void;
  onEnd(flag: ContinuationFlag): void;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const CRLF = Buffer.from('\r\n');
const START_PREFIX = Buffer.from('MSRP ');
const TID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]*$/;
const METHOD_PATTERN = /^[A-Za-z]+$/;
const STATUS_PATTERN = /^\d{3}$/;

type State = 'start' | 'headers' | 'body' | 'failed';
type EndLineMatch = 'full' | 'partial' | 'none';

function startsWithPrefix(buf: Buffer, at: number): boolean {
  return (
    buf.length - at >= START_PREFIX.length && START_PREFIX.compare(buf, at, at + START_PREFIX.length) === 0
  );
}

function isFlagByte(byte: number | undefined): boolean {
  return byte === 0x24 || byte === 0x2b || byte === 0x23; // $ + #
}

export class MsrpParser {
  #state: State = 'start';
  #partialLine: Buffer | undefined;
  #pending: Buffer | undefined;
  #paused = false;
  #feeding = false;
  /** An end-line already consumed whose onEnd waits because a handler paused before it. */
  #pendingEnd: ContinuationFlag | undefined;

  // The message being read; let go at its end, so that an idle connection keeps no text of its last message.
  #tid = '';
  #method: string | undefined;
  #status: number | undefined;
  #comment: string | undefined;
  #headers: HeaderList | undefined;
  #headerLines = 0;
  #malformedLines = 0;

  // Body mode: `held` are received bytes not yet delivered because they may start the end-line;
  // the first `heldVirtual` of them are the CRLF that ended the header section, not body bytes.
  #needle: Buffer = CRLF;
  #held: Buffer = CRLF;
  #heldVirtual = 0;

  readonly #handler: ParserHandler;
  readonly #limits: ParserLimits;

  constructor(handler: ParserHandler, limits: ParserLimits = DEFAULT_PARSER_LIMITS) {
    this.#handler = handler;
    this.#limits = limits;
  }

  /** Stops delivering events after the current one; the rest of the input is kept until resume(). */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers what waited, synchronously; may throw MsrpProtocolError like feed(). */
  resume(): void {
    this.#paused = false;
    const end = this.#pendingEnd;
    if (end !== undefined) {
      this.#pendingEnd = undefined;
      this.#handler.onEnd(end);
      if (this.isPaused) return; // the handler may have paused again
    }
    if (this.#pending !== undefined && !this.#feeding) {
      const pending = this.#pending;
      this.#pending = undefined;
      this.feed(pending);
    }
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  /** True between a start line and its end-line. */
  get inMessage(): boolean {
    return this.#state === 'headers' || this.#state === 'body';
  }

  /** Nothing carried over or waiting: the next byte fed starts a message (or garbage before one). */
  get atMessageBoundary(): boolean {
    return (
      this.#state === 'start' &&
      this.#partialLine === undefined &&
      this.#pending === undefined &&
      this.#pendingEnd === undefined &&
      !this.#paused
    );
  }

  /** Consumes input; throws MsrpProtocolError once, after which all input is ignored. */
  feed(chunk: Buffer): void {
    if (this.#state === 'failed') return;
    if (this.#paused) {
      this.#pending = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
      return;
    }
    this.#feeding = true;
    try {
      let pos = 0;
      while (pos < chunk.length) {
        if (this.#state === 'body') pos = this.#scanBody(chunk, pos);
        else pos = this.#scanWholeHead(chunk, pos) ?? this.#scanLine(chunk, pos);
        // A handler may have paused us (the getter stops TypeScript narrowing `paused` to false).
        if (this.isPaused && pos < chunk.length) {
          this.#pending = chunk.subarray(pos);
          return;
        }
      }
    } catch (error) {
      this.#state = 'failed';
      throw error;
    } finally {
      this.#feeding = false;
    }
  }

  #fail(kind: ProtocolErrorKind, message: string): never {
    this.#state = 'failed';
    throw new MsrpProtocolError(kind, message);
  }

  // ---- line mode -------------------------------------------------------------------------------

  #scanLine(chunk: Buffer, pos: number): number {
    let searchFrom = pos;
    for (;;) {
      const lf = chunk.indexOf(LF, searchFrom);
      const carried = this.#partialLine?.length ?? 0;
      if (lf === -1) {
        if (carried + chunk.length - pos > this.#limits.maxLineLength + 1) this.#lineTooLong();
        this.#partialLine =
          this.#partialLine === undefined
            ? Buffer.from(chunk.subarray(pos))
            : Buffer.concat([this.#partialLine, chunk.subarray(pos)]);
        return chunk.length;
      }
      if (carried + lf - pos > this.#limits.maxLineLength + 1) this.#lineTooLong();
      const before = lf > pos ? chunk[lf - 1] : this.#partialLine?.[carried - 1];
      if (before !== CR) {
        searchFrom = lf + 1; // a bare LF is not a line delimiter
        continue;
      }
      const withCrlf =
        this.#partialLine === undefined
          ? chunk.subarray(pos, lf + 1)
          : Buffer.concat([this.#partialLine, chunk.subarray(pos, lf + 1)]);
      this.#partialLine = undefined;
      const line = withCrlf.subarray(0, withCrlf.length - 2);
      if (this.#state === 'start') this.#startLine(line);
      else this.#headerLine(line);
      return lf + 1;
    }
  }

  /**
   * The common case: a whole message head (start line and headers) within this read. It is decoded with one
   * UTF-8 check and one string conversion instead of one per line. Returns undefined to let line mode
   * handle anything else (a head split across reads, garbage, errors), which gives the same results.
   */
  #scanWholeHead(chunk: Buffer, pos: number): number | undefined {
    if (this.#state !== 'start' || this.#partialLine !== undefined || !startsWithPrefix(chunk, pos))
      return undefined;
    const startEnd = chunk.indexOf(CRLF, pos);
    if (startEnd === -1) return undefined;
    // Walk the line ends to the empty line before a body, or to the end-line of a body-less message.
    const limit = pos + this.#limits.maxLineLength;
    let headEnd = startEnd;
    let bodiless = false;
    for (;;) {
      const next = headEnd + 2;
      if (chunk[next] === CR && chunk[next + 1] === LF) break;
      if (chunk[next] === DASH) {
        bodiless = true;
        break;
      }
      headEnd = chunk.indexOf(CRLF, next);
      if (headEnd === -1 || headEnd > limit) return undefined;
    }
    const block = chunk.subarray(pos, headEnd);
    if (!isUtf8(block)) return undefined;
    const lines = block.toString('utf8').split('\r\n');
    if (lines.length - 1 > this.#limits.maxHeaderLines) return undefined;
    for (const line of lines) if (line.length > this.#limits.maxLineLength) return undefined;
    if (bodiless && this.#endLineAt(chunk, headEnd, lines[0] ?? '') === undefined) return undefined;
    if (!this.#startLineText(lines[0] ?? '')) return undefined;
    for (let i = 1; i < lines.length; i++) this.#headerText(lines[i] ?? '');
    if (!bodiless) {
      this.#emitHead(true);
      this.#startBody();
      return headEnd + 4;
    }
    this.#emitHead(false);
    const flagAt = headEnd + 2 + 7 + this.#tid.length;
    this.#finish(chunk[flagAt] ?? 0);
    return flagAt + 3;
  }

  /** Whether `\r\n-------<tid><flag>\r\n` of the start line's tid stands at `at`. */
  #endLineAt(chunk: Buffer, at: number, startLine: string): number | undefined {
    const tidEnd = startLine.indexOf(' ', START_PREFIX.length);
    const tid = startLine.slice(START_PREFIX.length, tidEnd);
    if (tidEnd === -1 || chunk.length < at + 12 + tid.length) return undefined;
    // All of it: a line that only ends in the tid (`-x-----<tid>$`) is no end-line (RFC 4975 §7.1), as in
    // line mode (isEndLine).
    if (chunk.toString('latin1', at + 2, at + 9) !== '-------') return undefined;
    if (chunk.toString('latin1', at + 9, at + 9 + tid.length) !== tid) return undefined;
    const flagAt = at + 9 + tid.length;
    return isFlagByte(chunk[flagAt]) && chunk[flagAt + 1] === CR && chunk[flagAt + 2] === LF
      ? flagAt
      : undefined;
  }

  #lineTooLong(): never {
    this.#fail('line-too-long', `line longer than ${this.#limits.maxLineLength} bytes`);
  }

  #startLine(line: Buffer): void {
    // Blank lines and anything that is not an MSRP start line are skipped: that is how peers resync.
    if (!startsWithPrefix(line, 0)) return;
    if (!isUtf8(line)) this.#fail('invalid-utf8', 'start line is not valid UTF-8');
    this.#startLineText(line.toString('utf8'));
  }

  /** Returns false for a line to skip (no transaction id), like msrprelay's resync. */
  #startLineText(text: string): boolean {
    const tidEnd = text.indexOf(' ', START_PREFIX.length);
    if (tidEnd === -1) return false;
    const tid = text.slice(START_PREFIX.length, tidEnd);
    if (tid.length > this.#limits.maxTidLength || !TID_PATTERN.test(tid)) {
      this.#fail('invalid-transaction-id', 'invalid transaction id');
    }
    const rest = text.slice(tidEnd + 1);
    const tokenEnd = rest.indexOf(' ');
    const token = tokenEnd === -1 ? rest : rest.slice(0, tokenEnd);
    this.#tid = tid;
    this.#headers = new HeaderList();
    this.#headerLines = 0;
    this.#malformedLines = 0;
    if (STATUS_PATTERN.test(token)) {
      this.#method = undefined;
      this.#status = Number(token);
      this.#comment = tokenEnd === -1 ? undefined : rest.slice(tokenEnd + 1);
    } else if (METHOD_PATTERN.test(token)) {
      this.#method = token;
      this.#status = undefined;
      this.#comment = undefined;
    } else {
      this.#fail('invalid-start-line', 'start line has neither a method nor a status code');
    }
    this.#state = 'headers';
    return true;
  }

  #headerLine(line: Buffer): void {
    if (line.length === 0) {
      this.#emitHead(true);
      this.#startBody();
      return;
    }
    if (line[0] === DASH && this.#isEndLine(line)) {
      this.#emitHead(false);
      this.#finish(line[line.length - 1] ?? 0);
      return;
    }
    if (!isUtf8(line)) this.#fail('invalid-utf8', 'header line is not valid UTF-8');
    this.#headerText(line.toString('utf8'));
  }

  #headerText(text: string): void {
    if (++this.#headerLines > this.#limits.maxHeaderLines) {
      this.#fail('too-many-headers', `more than ${this.#limits.maxHeaderLines} header lines`);
    }
    const colon = text.indexOf(':');
    const name = text.slice(0, colon);
    if (colon <= 0 || !isHeaderName(name)) {
      this.#malformedLines++;
      return;
    }
    let valueStart = colon + 1;
    while (text.charCodeAt(valueStart) === 0x20 || text.charCodeAt(valueStart) === 0x09) valueStart++;
    this.#headers?.add(name, text.slice(valueStart));
  }

  #isEndLine(line: Buffer): boolean {
    const tidLength = this.#tid.length;
    return (
      line.length === 7 + tidLength + 1 &&
      line.toString('latin1', 0, 7 + tidLength) === `-------${this.#tid}` &&
      isFlagByte(line[line.length - 1])
    );
  }

  #emitHead(hasBody: boolean): void {
    const headers = this.#headers ?? new HeaderList();
    // The parser keeps no reference to the list (nor to the text it points into).
    this.#headers = undefined;
    this.#handler.onHead({
      tid: this.#tid,
      method: this.#method,
      status: this.#status,
      comment: this.#comment,
      headers,
      hasBody,
      malformedLines: this.#malformedLines,
    });
  }

  #finish(flagByte: number): void {
    this.#state = 'start';
    // The tid and comment are slices of the message's text: keeping them would keep all of it.
    this.#tid = '';
    this.#method = undefined;
    this.#comment = undefined;
    this.#needle = CRLF;
    const flag = String.fromCharCode(flagByte) as ContinuationFlag;
    if (this.#paused) this.#pendingEnd = flag;
    else this.#handler.onEnd(flag);
  }

  // ---- body mode -------------------------------------------------------------------------------

  #startBody(): void {
    this.#state = 'body';
    this.#needle = Buffer.from(`\r\n-------${this.#tid}`, 'latin1');
    // The CRLF ending the header section may itself start the end-line of an empty body.
    this.#held = CRLF;
    this.#heldVirtual = 2;
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

  #scanBody(chunk: Buffer, pos: number): number {
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
          this.#finish(window[i + this.#needle.length] ?? 0);
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
        this.#finish(chunk[at + this.#needle.length] ?? 0);
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

  #hold(bytes: Buffer, virtual: number): void {
    this.#held = bytes.length === 0 ? bytes : Buffer.from(bytes);
    this.#heldVirtual = virtual;
  }

  #emitHeld(end: number): void {
    if (end > this.#heldVirtual) this.#emitBody(this.#held.subarray(this.#heldVirtual, end));
  }

  #emitBody(slice: Buffer): void {
    if (slice.length > 0) this.#handler.onBody(slice);
  }
}

/**
 * Whether a header line's name is made of RFC 4975 token characters (`%x21 / %x23-27 / %x2A-2B / %x2D-2E /
 * %x30-39 / %x41-5A / %x5E-7E`; hname is ALPHA *token, a leading non-letter is let through as msrprelay
 * did). Anything else (a space, a bare CR, any control character) makes the line malformed: forwarding it
 * would hand the next hop a header it cannot parse.
 */
function isHeaderName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const token =
      c === 0x21 ||
      (c >= 0x23 && c <= 0x27) ||
      c === 0x2a ||
      c === 0x2b ||
      c === 0x2d ||
      c === 0x2e ||
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x5e && c <= 0x7e);
    if (!token) return false;
  }
  return true;
}
