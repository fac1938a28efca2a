/**
 * Messages from a stream transport (TCP, TLS; RFC 3261 §18.3): framed by the empty line and Content-Length,
 * which is mandatory here. Input may be split anywhere and messages may be pipelined. CRLFs between messages
 * are skipped (RFC 3261 §7.5); each CRLF CRLF among them is an RFC 5626 §3.5.1 keepalive ping, reported so
 * that the transport answers with a CRLF pong.
 *
 * Errors: when the message's extent is known (valid Content-Length) the error is reported, the body skipped
 * and parsing goes on; otherwise the error is fatal: the transport answers if it can and closes the
 * connection, and the parser ignores further input. Memory is bounded: at most maxHeaderBytes of an
 * unfinished head or maxBodyBytes of an unfinished body are held.
 */
import type { SipMessage } from '../message/message.js';
import type { SipParseError } from './errors.js';
import {
  oversizedHead,
  oversizedStartLine,
  parseHead,
  type RequestHead,
  type ResponseHead,
  refuseHead,
} from './head.js';
import { DEFAULT_PARSER_CONFIG, type ParserConfig } from './limits.js';
import { messageFromHead } from './message-from-head.js';
import { PendingBytes } from './pending-bytes.js';

export interface SipStreamHandler {
  /** A complete message. Its body may be a view of a buffer passed to feed(). */
  onMessage(message: SipMessage): void;
  /** A CRLF CRLF keepalive between messages: answer with CRLF (RFC 5626 §3.5.1). */
  onPing(): void;
  /**
   * A message that cannot be accepted. `fatal`: framing is lost; answer (for a reject) and close the
   * connection. Otherwise the message was skipped and parsing goes on.
   */
  onError(error: SipParseError, fatal: boolean): void;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');
const EMPTY_LINE = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

type State = 'between' | 'head' | 'body' | 'skip' | 'failed';

export class SipStreamParser {
  readonly #handler: SipStreamHandler;
  readonly #config: ParserConfig;
  readonly #pending = new PendingBytes();
  #state: State = 'between';
  /** CRLFs seen since the last message or ping. */
  #crlfs = 0;
  /** In 'head': bytes after the message start already searched for the empty line / first CRLF. */
  #headScanned = 0;
  #lineScanned = 0;
  #startLineEnded = false;
  /** In 'body': the parsed head. In 'body' and 'skip': body bytes still expected. */
  #head: RequestHead | ResponseHead | undefined;
  #remaining = 0;
  #feeding = false;
  readonly #queued: Buffer[] = [];
  /** The input being consumed, whether it is the caller's chunk, and the position in it. */
  #data: Buffer = EMPTY;
  #external = true;
  #cursor = 0;

  constructor(handler: SipStreamHandler, config: ParserConfig = DEFAULT_PARSER_CONFIG) {
    this.#handler = handler;
    this.#config = config;
  }

  /** True after a fatal error; further input is ignored. */
  get failed(): boolean {
    return this.#state === 'failed';
  }

  /** True when no part of a message is pending (a connection may be closed cleanly now). */
  get idle(): boolean {
    return this.#state === 'between' && this.#pending.length === 0;
  }

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /**
   * Consumes input. Never throws, unless a handler does (input not yet consumed is then kept for the next
   * call). Calls from within a handler are queued and consumed in order once the handler returns.
   */
  feed(chunk: Buffer): void {
    this.#queued.push(chunk);
    if (this.#feeding) return;
    this.#feeding = true;
    try {
      for (let next = this.#queued.shift(); next !== undefined; next = this.#queued.shift())
        this.#consume(next);
    } finally {
      this.#feeding = false;
    }
  }

  // A method, not the getter: state changes inside the loop must not look impossible to the type checker.
  #hasFailed(): boolean {
    return this.#state === 'failed';
  }

  #consume(chunk: Buffer): void {
    if (this.#hasFailed() || chunk.length === 0) return;
    const external = this.#pending.length === 0;
    if (!external) this.#pending.append(chunk);
    this.#data = external ? chunk : this.#pending.view();
    this.#external = external;
    this.#cursor = 0;
    try {
      while (!this.#hasFailed() && this.#advance()) {
        // Each step consumes input or completes a message; handlers run after the cursor has moved.
      }
    } finally {
      // Keep what is not consumed yet (also when a handler threw).
      const rest = this.#data.subarray(this.#cursor);
      if (this.#hasFailed()) this.#pending.clear();
      else if (this.#external) this.#pending.replace(rest);
      else this.#pending.consume(this.#cursor);
      this.#data = EMPTY;
    }
  }

  /** Handles input at the cursor; false to wait for more input. */
  #advance(): boolean {
    switch (this.#state) {
      case 'between':
        return this.#between();
      case 'head':
        return this.#headAt();
      case 'body':
        return this.#body();
      case 'skip':
        return this.#skip();
      case 'failed':
        return false;
    }
  }

  #between(): boolean {
    const data = this.#data;
    const pos = this.#cursor;
    if (pos >= data.length) return false;
    const byte = data[pos];
    if (byte === CR) {
      if (pos + 1 >= data.length) return false;
      if (data[pos + 1] !== LF) {
        this.#cursor = pos + 1; // a stray CR
        return true;
      }
      this.#cursor = pos + 2;
      if (++this.#crlfs === 2) {
        this.#crlfs = 0;
        this.#handler.onPing();
      }
      return true;
    }
    if (byte === LF) {
      this.#cursor = pos + 1; // a stray LF
      return true;
    }
    this.#crlfs = 0;
    this.#state = 'head';
    this.#headScanned = 0;
    this.#lineScanned = 0;
    this.#startLineEnded = false;
    return true;
  }

  /** The cursor is at the start of a message. */
  #headAt(): boolean {
    const { limits } = this.#config;
    const data = this.#data;
    const pos = this.#cursor;
    const available = data.length - pos;
    const end = data.indexOf(EMPTY_LINE, pos + this.#headScanned);
    if (end === -1) {
      if (!this.#startLineEnded) {
        // Refuse a start line as soon as it is known to be too long, wherever its CRLF is.
        const lineEnd = data.indexOf(CRLF, pos + this.#lineScanned);
        const tooLong =
          lineEnd === -1 ? available > limits.maxLineLength + 1 : lineEnd - pos > limits.maxLineLength;
        if (tooLong) return this.#fail(oversizedStartLine(data.subarray(pos), this.#config));
        this.#startLineEnded = lineEnd !== -1;
        this.#lineScanned = Math.max(0, available - 1);
      }
      // The empty line may begin in the last 3 bytes, so the head is at least available + 1 bytes long.
      if (available >= limits.maxHeaderBytes)
        return this.#fail(oversizedHead(data.subarray(pos), this.#config));
      this.#headScanned = Math.max(0, available - 3);
      return false;
    }
    const result = parseHead(data.subarray(pos, end), this.#config);
    this.#cursor = end + 4;
    if (!result.ok) {
      if (!result.framed || result.contentLength === undefined) return this.#fail(result.error);
      this.#state = 'skip';
      this.#remaining = result.contentLength;
      this.#handler.onError(result.error, false);
      return true;
    }
    if (result.contentLength === undefined)
      return this.#fail(refuseHead(result.head, 400, 'Missing Content-Length'));
    this.#head = result.head;
    this.#remaining = result.contentLength;
    this.#state = 'body';
    return true;
  }

  #body(): boolean {
    const head = this.#head;
    const data = this.#data;
    const pos = this.#cursor;
    if (head === undefined || data.length - pos < this.#remaining) return false;
    const end = pos + this.#remaining;
    // A view of the caller's chunk is safe to hand out; the pending buffer is reused, so copy from it.
    const body = this.#external ? data.subarray(pos, end) : Buffer.from(data.subarray(pos, end));
    this.#cursor = end;
    this.#head = undefined;
    this.#state = 'between';
    this.#handler.onMessage(messageFromHead(head, body));
    return true;
  }

  #skip(): boolean {
    const skipped = Math.min(this.#remaining, this.#data.length - this.#cursor);
    this.#cursor += skipped;
    this.#remaining -= skipped;
    if (this.#remaining > 0) return false;
    this.#state = 'between';
    return true;
  }

  #fail(error: SipParseError): false {
    this.#state = 'failed';
    this.#head = undefined;
    this.#handler.onError(error, true);
    return false;
  }
}
