/**
 * Streaming MSRP parser (RFC 4975 §7, RFC 4975 §8). Works on Buffers end to end: only start lines and header lines
 * are decoded; bodies are delivered as zero-copy slices of the input (body-scanner.ts), holding back at most
 * one end-line's worth of bytes that could still turn out to be the end-line.
 */
import { isUtf8 } from 'node:buffer';
import { BodyScanner } from './body-scanner.js';
import {
  CR,
  CRLF,
  DASH,
  isFlagByte,
  isHeaderName,
  LF,
  METHOD_PATTERN,
  START_PREFIX,
  STATUS_PATTERN,
  startsWithPrefix,
  TID_PATTERN,
} from './line-grammar.js';
import { type ContinuationFlag, HeaderList } from './message.js';
import {
  DEFAULT_PARSER_LIMITS,
  MsrpProtocolError,
  type ParserHandler,
  type ParserLimits,
  type ProtocolErrorKind,
} from './parser-types.js';

type State = 'start' | 'headers' | 'body' | 'failed';

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
  /** The header lines' bytes while they may still turn out verbatim (see MsrpHead.verbatimHeaders). */
  #verbatim: Buffer | undefined;

  /** Made with the first body: most relay connections (idle sessions, next hops' 200s) never read one. */
  #body: BodyScanner | undefined;
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
        const body = this.#state === 'body' ? this.#body : undefined;
        if (body !== undefined) pos = body.scan(chunk, pos);
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
    const text = block.toString('utf8');
    const lines = text.split('\r\n');
    if (lines.length - 1 > this.#limits.maxHeaderLines) return undefined;
    for (const line of lines) if (line.length > this.#limits.maxLineLength) return undefined;
    if (bodiless && this.#endLineAt(chunk, headEnd, lines[0] ?? '') === undefined) return undefined;
    if (!this.#startLineText(lines[0] ?? '')) return undefined;
    // One byte per character: the header lines' offsets in the bytes are those in the text.
    if (text.length === block.length)
      this.#verbatim = chunk.subarray(Math.min(startEnd + 2, headEnd), headEnd);
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
    this.#verbatim = undefined;
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
      this.#verbatim = undefined;
      return;
    }
    let valueStart = colon + 1;
    while (text.charCodeAt(valueStart) === 0x20 || text.charCodeAt(valueStart) === 0x09) valueStart++;
    if (valueStart !== colon + 2 || text.charCodeAt(colon + 1) !== 0x20) this.#verbatim = undefined;
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
    const verbatimHeaders = this.#verbatim;
    // The parser keeps no reference to the list (nor to the text or bytes it points into).
    this.#headers = undefined;
    this.#verbatim = undefined;
    this.#handler.onHead({
      tid: this.#tid,
      method: this.#method,
      status: this.#status,
      comment: this.#comment,
      headers,
      hasBody,
      malformedLines: this.#malformedLines,
      verbatimHeaders,
    });
  }

  #finish(flagByte: number): void {
    this.#state = 'start';
    // The tid and comment are slices of the message's text: keeping them would keep all of it.
    this.#tid = '';
    this.#method = undefined;
    this.#comment = undefined;
    this.#body?.reset();
    const flag = String.fromCharCode(flagByte) as ContinuationFlag;
    if (this.#paused) this.#pendingEnd = flag;
    else this.#handler.onEnd(flag);
  }

  #startBody(): void {
    this.#state = 'body';
    const handler = this.#handler;
    this.#body ??= new BodyScanner({
      onBody: (slice) => {
        handler.onBody(slice);
      },
      onEndLine: (flagByte) => {
        this.#finish(flagByte);
      },
    });
    this.#body.start(this.#tid);
  }
}
