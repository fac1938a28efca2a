/**
 * Minimal MSRP framing for the load generator (RFC 4975 §7): just enough to write AUTH/SEND/200 and to
 * find message boundaries in a byte stream. Bodies are never copied: the reader only counts their bytes
 * and keeps a carry of at most one end-line across reads. Independent of src/ on purpose.
 */

export interface FrameHead {
  readonly tid: string;
  /** Request method, or '' for a response. */
  readonly method: string;
  /** Response status code, or 0 for a request. */
  readonly status: number;
  /** The header block, latin1, each line ending in CRLF (start line excluded). */
  readonly headers: string;
}

export type FrameHandler = (head: FrameHead, flag: string, bodyBytes: number) => void;

/** Returns the value of header `name` (exact case, as both relays write them), or undefined. */
export function header(head: FrameHead, name: string): string | undefined {
  const text = head.headers;
  const key = `${name}: `;
  let start: number;
  if (text.startsWith(key)) {
    start = key.length;
  } else {
    const at = text.indexOf(`\r\n${key}`);
    if (at === -1) return undefined;
    start = at + 2 + key.length;
  }
  const end = text.indexOf('\r\n', start);
  return text.slice(start, end === -1 ? text.length : end);
}

/** First whitespace-separated URI of a path header. */
export function firstUri(path: string): string {
  const space = path.indexOf(' ');
  return space === -1 ? path : path.slice(0, space);
}

/** Session id of an MSRP URI `scheme://host:port/<id>;tcp` (the text between the authority and `;`). */
export function sessionIdOf(uri: string): string {
  const slash = uri.indexOf('/', uri.indexOf('//') + 2);
  const semi = uri.lastIndexOf(';');
  return slash === -1 ? '' : uri.slice(slash + 1, semi > slash ? semi : uri.length);
}

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n', 'latin1');
const DASHES = Buffer.from('-------', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const EMPTY = Buffer.alloc(0);

/**
 * Streaming frame reader. Feed it every Buffer read from a socket; it calls `onFrame` once per complete
 * message with the parsed head, the end-line flag (`$`, `+` or `#`) and the number of body bytes.
 */
export class FrameReader {
  /** Unconsumed bytes of a head (small), or the carry of a body end-line search. */
  #pending: Buffer = EMPTY;
  #head: FrameHead | undefined;
  /** `\r\n-------<tid>` of the message whose body is being read. */
  #needle: Buffer = EMPTY;
  #bodyBytes = 0;
  readonly #onFrame: FrameHandler;

  constructor(onFrame: FrameHandler) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    let data = this.#pending.length === 0 ? chunk : this.#joinPending(chunk);
    for (;;) {
      if (data.length === 0) return;
      if (this.#head === undefined) {
        const used = this.#readHead(data);
        if (used === 0) {
          if (data.length > MAX_HEAD_BYTES) throw new Error('MSRP head too large');
          this.#pending = Buffer.from(data); // heads are small: copy so the big read buffer can go
          return;
        }
        data = data.subarray(used);
      } else {
        const used = this.#readBody(data);
        if (used === -1) return;
        data = data.subarray(used);
      }
    }
  }

  /**
   * Joins the pending bytes with a new read. In a body only the small carry is joined with the first
   * bytes of the read, so a body is never copied.
   */
  #joinPending(chunk: Buffer): Buffer {
    const pending = this.#pending;
    this.#pending = EMPTY;
    const span = this.#needle.length + 3;
    if (this.#head === undefined || chunk.length < span) return Buffer.concat([pending, chunk]);
    const joined = Buffer.concat([pending, chunk.subarray(0, span - 1)]);
    const at = joined.indexOf(this.#needle);
    if (at === -1 || at >= pending.length) {
      this.#bodyBytes += pending.length; // the end-line does not start in the carry: it was body
      return chunk;
    }
    const used = this.#readBody(joined); // ends the message: `at + span <= joined.length`
    return chunk.subarray(used - pending.length);
  }

  /**
   * Parses one head line by line (so a read full of pipelined messages is never rescanned), and a
   * body-less message entirely. Returns the bytes consumed, 0 if the head is not complete yet.
   */
  #readHead(data: Buffer): number {
    const lineEnd = data.indexOf(CRLF);
    if (lineEnd === -1) return 0;
    const start = data.toString('latin1', 0, lineEnd);
    const space1 = start.indexOf(' ');
    const space2 = start.indexOf(' ', space1 + 1);
    if (space1 !== 4 || space2 === -1 || !start.startsWith('MSRP')) {
      throw new Error(`bad MSRP start line: ${start.slice(0, 80)}`);
    }
    const tid = start.slice(5, space2);
    const space3 = start.indexOf(' ', space2 + 1);
    const word = start.slice(space2 + 1, space3 === -1 ? start.length : space3);
    const code = word.length === 3 ? Number(word) : Number.NaN;
    const status = Number.isInteger(code) && code >= 100 ? code : 0;
    const method = status === 0 ? word : '';
    for (let pos = lineEnd + 2; pos < MAX_HEAD_BYTES; ) {
      if (data.length < pos + 2) return 0;
      if (data[pos] === CR && data[pos + 1] === LF) {
        this.#head = { tid, method, status, headers: data.toString('latin1', lineEnd + 2, pos) };
        this.#needle = Buffer.from(`\r\n-------${tid}`, 'latin1');
        this.#bodyBytes = 0;
        return pos + 2;
      }
      if (data[pos] === DASH) {
        // `-------<tid><flag>CRLF` right after the headers: a message without body.
        const flagAt = pos + 7 + tid.length;
        if (data.length < flagAt + 3) return 0;
        if (data.compare(DASHES, 0, 7, pos, pos + 7) === 0) {
          const head = { tid, method, status, headers: data.toString('latin1', lineEnd + 2, pos) };
          this.#onFrame(head, String.fromCharCode(data[flagAt] ?? 0), 0);
          return flagAt + 3;
        }
      }
      const next = data.indexOf(CRLF, pos);
      if (next === -1) return 0;
      pos = next + 2;
    }
    throw new Error('MSRP head too large');
  }

  /**
   * Scans body bytes for the end-line. Returns bytes consumed when the message ended, or -1 when all of
   * `data` was body (a carry of up to needle+2 bytes is kept in `pending`).
   */
  #readBody(data: Buffer): number {
    const at = data.indexOf(this.#needle);
    if (at !== -1 && data.length >= at + this.#needle.length + 3) {
      const flag = data.toString('latin1', at + this.#needle.length, at + this.#needle.length + 1);
      const head = this.#head;
      const bytes = this.#bodyBytes + at;
      this.#head = undefined;
      if (head !== undefined) this.#onFrame(head, flag, bytes);
      return at + this.#needle.length + 3;
    }
    // Keep a tail that may hold the start of the end-line; everything before it is body.
    const keep = at !== -1 ? data.length - at : Math.min(data.length, this.#needle.length + 2);
    this.#bodyBytes += data.length - keep;
    this.#pending = Buffer.from(data.subarray(data.length - keep));
    return -1;
  }
}

/** Writes `MSRP <tid> <method>` requests; all text is latin1. */
export function requestHead(
  tid: string,
  method: string,
  headerLines: readonly string[],
  hasBody: boolean,
): string {
  return `MSRP ${tid} ${method}\r\n${headerLines.join('\r\n')}\r\n${hasBody ? '\r\n' : ''}`;
}

export function endLine(tid: string, flag: '$' | '+' | '#', afterBody: boolean): string {
  return `${afterBody ? '\r\n' : ''}-------${tid}${flag}\r\n`;
}

/** A hop-by-hop 200 to a SEND: To-Path is the previous hop (From-Path[0]), From-Path is us (To-Path[0]). */
export function okResponse(head: FrameHead): string {
  const from = header(head, 'From-Path') ?? '';
  const to = header(head, 'To-Path') ?? '';
  return `MSRP ${head.tid} 200 OK\r\nTo-Path: ${firstUri(from)}\r\nFrom-Path: ${firstUri(to)}\r\n-------${head.tid}$\r\n`;
}
