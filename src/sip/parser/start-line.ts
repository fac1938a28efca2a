/**
 * Request-Line and Status-Line (RFC 3261 §7.1, §7.2). Trailing whitespace is ignored (RFC 4475 §3.1.2.10
 * allows either); everything else is left to the caller to judge, in the order that gives the most useful
 * answer: version (505), Request-URI scheme (416), Request-URI syntax (400).
 */
import { isDigit, isToken, isWhitespace } from '../grammar/chars.js';

export interface RequestLine {
  readonly kind: 'request';
  readonly method: string;
  /** Everything between the first and the last space; may be malformed. */
  readonly uriText: string;
  /** As written, e.g. "SIP/2.0" or "SIP/7.0". */
  readonly version: string;
}

export interface StatusLine {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

/** Neither: a response line that is not SIP/2.0 with a status of 100-699, or not SIP at all. */
export interface UnrecognizedLine {
  readonly kind: 'unrecognized';
  readonly why: string;
}

export type StartLine = RequestLine | StatusLine | UnrecognizedLine;

const SIP_PREFIX = /^SIP\//i;
const SIP_VERSION = /^SIP\/\d+\.\d+$/i;

/** A status line, or something that begins like one. */
export function startsLikeResponse(line: string): boolean {
  return SIP_PREFIX.test(line);
}

function trimEnd(line: string): string {
  let end = line.length;
  while (end > 0 && isWhitespace(line.charCodeAt(end - 1))) end--;
  return end === line.length ? line : line.slice(0, end);
}

export function parseStartLine(raw: string): StartLine {
  const line = trimEnd(raw);
  if (SIP_PREFIX.test(line)) return parseStatusLine(line);
  const firstSpace = line.indexOf(' ');
  const lastSpace = line.lastIndexOf(' ');
  if (firstSpace <= 0 || lastSpace === firstSpace)
    return { kind: 'unrecognized', why: 'not a SIP start line' };
  const method = line.slice(0, firstSpace);
  const version = line.slice(lastSpace + 1);
  // A request line must at least look like one: token SP ... SP SIP/...; anything else is noise.
  if (!isToken(method) || !SIP_PREFIX.test(version))
    return { kind: 'unrecognized', why: 'not a SIP start line' };
  return { kind: 'request', method, uriText: line.slice(firstSpace + 1, lastSpace), version };
}

function parseStatusLine(line: string): StartLine {
  const space = line.indexOf(' ');
  if (space === -1 || line.slice(0, space).toUpperCase() !== 'SIP/2.0') {
    return { kind: 'unrecognized', why: 'response is not SIP/2.0' };
  }
  const codeEnd = space + 4;
  for (let i = space + 1; i < codeEnd; i++) {
    if (!isDigit(line.charCodeAt(i))) return { kind: 'unrecognized', why: 'status code is not three digits' };
  }
  if (codeEnd < line.length && line.charCodeAt(codeEnd) !== 0x20) {
    return { kind: 'unrecognized', why: 'status code is not three digits' };
  }
  const status = Number(line.slice(space + 1, codeEnd));
  if (status < 100 || status > 699) return { kind: 'unrecognized', why: 'status code out of range' };
  return { kind: 'response', status, reason: line.slice(codeEnd + 1) };
}

/** "SIP/2.0" in any case: 'ok'; another SIP/x.y: 'unsupported' (505); anything else: 'malformed' (400). */
export function checkVersion(version: string): 'ok' | 'unsupported' | 'malformed' {
  if (version.toUpperCase() === 'SIP/2.0') return 'ok';
  return SIP_VERSION.test(version) ? 'unsupported' : 'malformed';
}
