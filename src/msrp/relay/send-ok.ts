/**
 * The relay's 200 to a SEND it relayed (relay spec §3.8, `Failure-Report: yes`), one per chunk: the bytes
 * wire.ts's `response()` writes, `MSRP <tid> 200 OK\r\nTo-Path: <From-Path[0]>\r\nFrom-Path: <To-Path[0]>\r\n
 * -------<tid>$\r\n`, from a template a connection keeps for its session's paths instead of a string and
 * its encoding per chunk.
 */
import type { Paths } from './checks.js';

const START = 'MSRP ';
const END = '$\r\n';

export class SendOk {
  /** ` 200 OK\r\nTo-Path: …\r\nFrom-Path: …\r\n-------`: what stands between the two tids. */
  readonly #middle: Buffer;
  /** What it was made from: a connection's path cache hands out these arrays again for the same text. */
  readonly #to: Paths['to'];
  readonly #from: Paths['from'];

  private constructor(paths: Paths) {
    this.#to = paths.to;
    this.#from = paths.from;
    const to = paths.from[0]?.text ?? '';
    const from = paths.to[0]?.text ?? '';
    this.#middle = Buffer.from(` 200 OK\r\nTo-Path: ${to}\r\nFrom-Path: ${from}\r\n-------`, 'utf8');
  }

  /** `previous` when it was made from these very paths, else a new one. */
  static of(paths: Paths, previous: SendOk | undefined): SendOk {
    if (previous !== undefined && previous.#to === paths.to && previous.#from === paths.from) return previous;
    return new SendOk(paths);
  }

  /** The 200 for the SEND of `tid` (an ASCII token, RFC 4975 §7.1: one byte per character). */
  answer(tid: string): Buffer {
    const middle = this.#middle;
    const bytes = Buffer.allocUnsafe(START.length + tid.length + middle.length + tid.length + END.length);
    let at = bytes.write(START, 0, 'latin1');
    at += bytes.write(tid, at, 'latin1');
    at += middle.copy(bytes, at);
    at += bytes.write(tid, at, 'latin1');
    bytes.write(END, at, 'latin1');
    return bytes;
  }
}
