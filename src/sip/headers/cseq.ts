/** CSeq (RFC 3261 §20.16): a sequence number below 2**32 and a method. */
import { isWhitespace, scanToken, skipWhitespace } from '../grammar/chars.js';
import type { SipHeaders } from './header-list.js';
import { MAX_UINT32, parseDigits } from './numeric.js';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** undefined when malformed or the number is above 2**32-1 (RFC 4475 §3.1.2.4). */
export function parseCSeq(value: string): CSeq | undefined {
  const start = skipWhitespace(value, 0);
  let end = start;
  while (end < value.length && !isWhitespace(value.charCodeAt(end))) end++;
  const seq = parseDigits(value.slice(start, end), MAX_UINT32);
  const methodStart = skipWhitespace(value, end);
  if (seq === undefined || methodStart === end) return undefined;
  const methodEnd = scanToken(value, methodStart);
  if (methodEnd === methodStart || skipWhitespace(value, methodEnd) !== value.length) return undefined;
  return { seq, method: value.slice(methodStart, methodEnd) };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}

export function getCSeq(headers: SipHeaders): CSeq | undefined {
  return headers.decodeFirst('CSeq', parseCSeq);
}
