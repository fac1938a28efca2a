/**
 * A next hop answers each SEND forwarded to it with a 200 whose bytes differ only in the tid:
 * `MSRP <tid> 200 OK\r\nTo-Path: <this relay>\r\nFrom-Path: <next hop>\r\n-------<tid>$\r\n`. Once one such
 * response has been through the parser and every check, a later one with the same bytes meets the same
 * checks with the same outcome (the connection's paths do not change once established), so it is recognised
 * here without parsing. That is half of the messages of a session, and the ones a sender waits for.
 * Anything else, byte for byte, goes to the parser.
 */
import type { MsrpHead } from '../message.js';
import type { Paths } from './checks.js';

const PREFIX = Buffer.from('MSRP ', 'latin1');
const MAX_TID = 64;
const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;

export class KnownOk {
  /** Where the last match ended. */
  end = 0;

  /** ` 200 OK\r\nTo-Path: …\r\nFrom-Path: …\r\n-------`: what stands between the two tids. */
  readonly #middle: Buffer;

  private constructor(middle: Buffer) {
    this.#middle = middle;
  }

  /** The pattern of `head` when it is a 200 in that plain form (exactly these two headers), else undefined. */
  static learn(head: MsrpHead, paths: Paths): KnownOk | undefined {
    const entries = head.headers.entries;
    if (head.status !== 200 || head.comment !== 'OK' || head.hasBody || head.malformedLines > 0)
      return undefined;
    const [to, from] = entries;
    if (entries.length !== 2 || to?.name !== 'To-Path' || from?.name !== 'From-Path') return undefined;
    // Trimmed, or folded, values would not give back the received bytes: leave those to the parser.
    if (to.value !== paths.toText || from.value !== paths.fromText) return undefined;
    return new KnownOk(Buffer.from(` 200 OK\r\nTo-Path: ${to.value}\r\nFrom-Path: ${from.value}\r\n-------`));
  }

  /** The tid of a 200 of this pattern at `pos` (and sets `end`), or undefined. */
  match(chunk: Buffer, pos: number): string | undefined {
    const middle = this.#middle;
    const tidStart = pos + PREFIX.length;
    if (chunk.length < tidStart + 1 + middle.length + 4) return undefined;
    if (chunk.compare(PREFIX, 0, PREFIX.length, pos, tidStart) !== 0) return undefined;
    const tidEnd = chunk.indexOf(0x20, tidStart);
    const tidLength = tidEnd - tidStart;
    if (tidLength < 1 || tidLength > MAX_TID) return undefined;
    const closingTid = tidEnd + middle.length;
    const flagAt = closingTid + tidLength;
    if (flagAt + 3 > chunk.length) return undefined;
    if (chunk.compare(middle, 0, middle.length, tidEnd, closingTid) !== 0) return undefined;
    if (chunk.compare(chunk, tidStart, tidEnd, closingTid, flagAt) !== 0) return undefined;
    if (chunk[flagAt] !== DOLLAR || chunk[flagAt + 1] !== CR || chunk[flagAt + 2] !== LF) return undefined;
    this.end = flagAt + 3;
    return chunk.toString('latin1', tidStart, tidEnd);
  }
}
