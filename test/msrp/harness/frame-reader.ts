// An MSRP framing reader (RFC 4975 §8/§9) written for the acceptance harness only.
// It is deliberately independent of src/ so that the tests check the relay instead of mirroring it,
// and it is strict: anything the relay writes that is not a well-formed message is reported.

export type Flag = '$' | '+' | '#';

export interface MessageHead {
  readonly tid: string;
  readonly startLine: string;
  /** Set for requests. */
  readonly method: string | undefined;
  /** Set for responses. */
  readonly status: number | undefined;
  readonly comment: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
  /** True when the header block ended with an empty line (a body section follows). */
  readonly hasBody: boolean;
  /** The exact bytes from the start line up to the end of the header block (incl. the empty line). */
  readonly raw: Buffer;
}

export interface FrameSink {
  head(head: MessageHead): void;
  body(slice: Buffer): void;
  end(flag: Flag, endLine: Buffer): void;
  error(reason: string): void;
}

const CRLF = Buffer.from('\r\n');
const MAX_LINE = 1 << 20;
const TID = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;
const HEADER = /^([!-9;-~]+): (.*)$/;
const FLAGS = new Set(['$', '+', '#']);

type State =
  | { kind: 'start' }
  | { kind: 'headers'; tid: string; startLine: string; headers: [string, string][]; raw: Buffer[] }
  | { kind: 'body'; tid: string; needle: Buffer }
  | { kind: 'failed' };

interface Step {
  readonly pos: number;
  /** False when the reader needs more bytes before it can continue. */
  readonly more: boolean;
}

export class FrameReader {
  #state: State = { kind: 'start' };
  #pending: Buffer = Buffer.alloc(0);
  readonly #sink: FrameSink;

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  get #failed(): boolean {
    return this.#state.kind === 'failed';
  }

  push(chunk: Buffer): void {
    if (this.#state.kind === 'failed') return;
    const buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const step = this.#state.kind === 'body' ? this.#bodyStep(buf, pos) : this.#lineStep(buf, pos);
      pos = step.pos;
      if (this.#failed) return;
      if (!step.more || pos >= buf.length) break;
    }
    // Copy what is kept so that a small remainder does not pin a large read buffer.
    this.#pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
  }

  /** Consumes one CRLF-terminated line, if there is one. */
  #lineStep(buf: Buffer, pos: number): Step {
    const eol = buf.indexOf(CRLF, pos);
    if (eol < 0) {
      if (buf.length - pos > MAX_LINE) this.#fail(`line longer than ${MAX_LINE} bytes`);
      return { pos, more: false };
    }
    const rawLine = buf.subarray(pos, eol + 2);
    const line = buf.toString('utf8', pos, eol);
    if (this.#state.kind === 'start') this.#startLine(line, rawLine);
    else if (this.#state.kind === 'headers') this.#headerLine(this.#state, line, rawLine);
    return { pos: eol + 2, more: true };
  }

  #startLine(line: string, rawLine: Buffer): void {
    const m = /^MSRP (\S+) (.+)$/.exec(line);
    const tid = m?.[1];
    const rest = m?.[2];
    if (tid === undefined || rest === undefined) {
      this.#fail(`not a start line: ${JSON.stringify(line)}`);
      return;
    }
    if (!TID.test(tid) || (!/^[A-Z]+$/.test(rest) && !/^\d{3}( .*)?$/.test(rest))) {
      this.#fail(`invalid transaction id, method or status in ${JSON.stringify(line)}`);
      return;
    }
    this.#state = { kind: 'headers', tid, startLine: line, headers: [], raw: [Buffer.from(rawLine)] };
  }

  #headerLine(state: Extract<State, { kind: 'headers' }>, line: string, rawLine: Buffer): void {
    state.raw.push(Buffer.from(rawLine));
    const endMatch = line.startsWith('-------') && line.length === 8 + state.tid.length;
    const flag = line.at(-1) ?? '';
    if (endMatch && line.slice(7, -1) === state.tid && FLAGS.has(flag)) {
      const raw = Buffer.concat(state.raw.slice(0, -1));
      this.#sink.head(makeHead(state, raw, false));
      this.#state = { kind: 'start' };
      this.#sink.end(flag as Flag, Buffer.from(rawLine));
      return;
    }
    if (line === '') {
      this.#sink.head(makeHead(state, Buffer.concat(state.raw), true));
      this.#state = { kind: 'body', tid: state.tid, needle: Buffer.from(`\r\n-------${state.tid}`) };
      return;
    }
    const h = HEADER.exec(line);
    if (h?.[1] === undefined || h[2] === undefined)
      this.#fail(`malformed header line ${JSON.stringify(line)}`);
    else state.headers.push([h[1], h[2]]);
  }

  /** Delivers body bytes up to the end-line, holding back what may be the start of one. */
  #bodyStep(buf: Buffer, pos: number): Step {
    const needle = (this.#state as Extract<State, { kind: 'body' }>).needle;
    let from = pos;
    for (;;) {
      const hit = buf.indexOf(needle, from);
      if (hit < 0) {
        const keepFrom = Math.max(pos, buf.length - (needle.length + 2));
        this.#emitBody(buf, pos, keepFrom);
        return { pos: keepFrom, more: false };
      }
      const after = hit + needle.length;
      if (buf.length < after + 3) {
        this.#emitBody(buf, pos, hit);
        return { pos: hit, more: false };
      }
      const flag = String.fromCharCode(buf[after] ?? 0);
      if (FLAGS.has(flag) && buf[after + 1] === 0x0d && buf[after + 2] === 0x0a) {
        this.#emitBody(buf, pos, hit);
        this.#state = { kind: 'start' };
        this.#sink.end(flag as Flag, Buffer.from(buf.subarray(hit, after + 3)));
        return { pos: after + 3, more: true };
      }
      from = hit + 1; // an end-line look-alike inside the body
    }
  }

  #emitBody(buf: Buffer, from: number, to: number): void {
    if (to > from) this.#sink.body(buf.subarray(from, to));
  }

  #fail(reason: string): void {
    this.#state = { kind: 'failed' };
    this.#sink.error(reason);
  }
}

function makeHead(state: Extract<State, { kind: 'headers' }>, raw: Buffer, hasBody: boolean): MessageHead {
  const rest = state.startLine.slice(6 + state.tid.length);
  const resp = /^(\d{3})(?: (.*))?$/.exec(rest);
  return {
    tid: state.tid,
    startLine: state.startLine,
    method: resp ? undefined : rest,
    status: resp ? Number(resp[1]) : undefined,
    comment: resp ? resp[2] : undefined,
    headers: state.headers,
    hasBody,
    raw,
  };
}
