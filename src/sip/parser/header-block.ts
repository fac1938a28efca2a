/**
 * Header lines → header fields (RFC 3261 §7.3): `name HCOLON value`, with whitespace allowed before the
 * colon, folded continuation lines (starting with SP or HTAB) joined with a single space, and values
 * trimmed. The head text is walked once, line by line, slicing only names and values. Limits stop the
 * reading at once; a syntax error is remembered and reading goes on, so that the partial request still has
 * the fields an error response needs.
 */
import { isWhitespace, scanToken } from '../grammar/chars.js';
import type { SipHeaders } from '../headers/header-list.js';
import { headerKey, spellingOfKey } from '../headers/names.js';
import type { SipParserLimits } from './limits.js';

export interface HeaderProblem {
  readonly status: 400 | 513;
  readonly reason: string;
}

/** The encoding the head was decoded with: lines are measured in the bytes they came from. */
export type HeadEncoding = 'utf8' | 'latin1';

const CRLF = '\r\n';
const TOO_LONG: HeaderProblem = { status: 513, reason: 'Header Line Too Long' };
const SP = 0x20;

/** Whether text[start, end) took more than `max` bytes on the wire. */
export function lineExceeds(
  text: string,
  start: number,
  end: number,
  max: number,
  encoding: HeadEncoding,
): boolean {
  const length = end - start;
  if (length > max) return true;
  if (encoding === 'latin1' || length * 3 <= max) return false;
  return Buffer.byteLength(text.slice(start, end), 'utf8') > max;
}

/**
 * Whether a field takes more than `max` bytes as the serializer writes it (`Name: value` on one line, the
 * name spelled canonically): a folded field is one line once unfolded, and a compact name is written out
 * in full, so a message whose every line was short enough could otherwise be written back as one that is
 * refused (found by the parser's round-trip property).
 */
function fieldExceeds(name: string, value: string, max: number, encoding: HeadEncoding): boolean {
  const line = `${spellingOfKey(headerKey(name), name)}: ${value}`;
  return lineExceeds(line, 0, line.length, max, encoding);
}

/** text[start, end) without leading and trailing SP/HTAB. */
function trimmed(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s < e && isWhitespace(text.charCodeAt(s))) s++;
  while (e > s && isWhitespace(text.charCodeAt(e - 1))) e--;
  return text.slice(s, e);
}

/** Whether the rest of a line, from its colon to `end`, is exactly `: value` with the value trimmed. */
function isPlainLine(text: string, colon: number, end: number): boolean {
  if (colon + 1 >= end) return false;
  if (text.charCodeAt(colon + 1) !== SP) return false;
  // An empty value is written `Name: `; otherwise no whitespace may surround it.
  if (colon + 2 === end) return true;
  return !isWhitespace(text.charCodeAt(colon + 2)) && !isWhitespace(text.charCodeAt(end - 1));
}

function hasLineBreak(text: string, start: number, end: number): boolean {
  const cr = text.indexOf('\r', start);
  const lf = text.indexOf('\n', start);
  return (cr !== -1 && cr < end) || (lf !== -1 && lf < end);
}

/**
 * Reads the header lines of `text` from `start` (the first character after the start line's CRLF) to the end
 * into `headers`; returns the first problem, if any. With `checkLineBreaks`, lines holding a stray CR or LF
 * are refused rather than stored (a partial request must be safe to copy into a response). With `rawLines`,
 * each field whose line is exactly `name: value` is given the line's extent in `text` (SipHeaders.source).
 */
export function readHeaderLines(
  text: string,
  start: number,
  limits: SipParserLimits,
  headers: SipHeaders,
  encoding: HeadEncoding,
  checkLineBreaks: boolean,
  rawLines = false,
): HeaderProblem | undefined {
  let problem: HeaderProblem | undefined;
  let name: string | undefined;
  let value = '';
  let rawStart = -1;
  let rawEnd = -1;
  let count = 0;
  let folded = false;
  /**
   * Appends the field read so far, if any; false when it is too long as it will be written (only a folded or
   * compact one can be).
   */
  const appendField = (): boolean => {
    if (name === undefined) return true;
    if ((folded || name.length === 1) && fieldExceeds(name, value, limits.maxLineLength, encoding))
      return false;
    headers.appendUnchecked(name, value, rawStart, rawEnd);
    return true;
  };
  for (let pos = start; pos < text.length; ) {
    let end = text.indexOf(CRLF, pos);
    if (end === -1) end = text.length;
    const lineStart = pos;
    pos = end + 2;
    if (lineExceeds(text, lineStart, end, limits.maxLineLength, encoding)) return TOO_LONG;
    if (checkLineBreaks && hasLineBreak(text, lineStart, end)) {
      problem ??= { status: 400, reason: 'Malformed Line Break' };
      continue;
    }
    if (isWhitespace(text.charCodeAt(lineStart))) {
      // Folding: CRLF followed by whitespace is a single SP (RFC 3261 §7.3.1).
      if (name === undefined) problem ??= { status: 400, reason: 'Malformed Header Line' };
      else {
        value += ` ${trimmed(text, lineStart, end)}`;
        rawStart = -1;
        folded = true;
      }
      continue;
    }
    if (!appendField()) return TOO_LONG;
    name = undefined;
    folded = false;
    const colon = text.indexOf(':', lineStart);
    let nameEnd = colon;
    while (nameEnd > lineStart && isWhitespace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    if (colon === -1 || colon >= end || nameEnd === lineStart || scanToken(text, lineStart) !== nameEnd) {
      problem ??= { status: 400, reason: 'Malformed Header Line' };
      continue;
    }
    if (++count > limits.maxHeaders) return { status: 513, reason: 'Too Many Headers' };
    name = text.slice(lineStart, nameEnd);
    value = trimmed(text, colon + 1, end);
    const plain = rawLines && colon === nameEnd && isPlainLine(text, colon, end);
    rawStart = plain ? lineStart : -1;
    rawEnd = end;
  }
  if (!appendField()) return TOO_LONG;
  return problem;
}
