/**
 * The head of a message (start line and header section, without the empty line) → a request or response
 * head, or the error to answer with. Shared by the datagram and the stream parser, which only differ in how
 * they find the head's end and the body.
 */
import { isUtf8 } from 'node:buffer';
import { isToken } from '../grammar/chars.js';
import { SipHeaders } from '../headers/header-list.js';
import { parseContentLength } from '../headers/numeric.js';
import { SipUri } from '../uri/sip-uri.js';
import { parseUri, type Uri, uriScheme } from '../uri.js';
import { drop, type RejectStatus, reject, type SipParseError } from './errors.js';
import { type HeadEncoding, lineExceeds, readHeaderLines } from './header-block.js';
import type { ParserConfig } from './limits.js';
import {
  checkVersion,
  parseStartLine,
  startsLikeResponse,
  type RequestLine,
  type StatusLine,
} from './start-line.js';
import { checkTransactionHeaders } from './validate.js';

export interface RequestHead {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: Uri;
  readonly headers: SipHeaders;
}

export interface ResponseHead {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: SipHeaders;
}

export type HeadResult =
  | {
      readonly ok: true;
      readonly head: RequestHead | ResponseHead;
      /** Declared body length; undefined when there is no Content-Length. */
      readonly contentLength: number | undefined;
    }
  | {
      readonly ok: false;
      readonly error: SipParseError;
      /** The declared body length when it is known and valid, so a stream can skip the body and go on. */
      readonly contentLength: number | undefined;
      /** False when the message's extent is unknown: a stream must be closed. */
      readonly framed: boolean;
    };

interface Problem {
  readonly status: RejectStatus;
  readonly reason: string;
}

const CRLF = '\r\n';
const WHITESPACE = /[ \t]/;

/** True when `text` holds a CR or LF that is not part of a CRLF line end. */
function hasBareLineBreak(text: string): boolean {
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (text.charCodeAt(i - 1) !== 0x0d) return true;
    lf++;
  }
  let cr = 0;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) cr++;
  return cr !== lf;
}

/** Every Content-Length field must be a valid number, all the same (RFC 4475 §3.3.9), within the limit. */
function checkContentLength(headers: SipHeaders, maxBodyBytes: number): number | undefined | Problem {
  let length: number | undefined;
  for (const value of headers.getAll('Content-Length')) {
    const parsed = parseContentLength(value);
    if (parsed === undefined) return { status: 400, reason: 'Malformed Content-Length Header' };
    if (length !== undefined && parsed !== length)
      return { status: 400, reason: 'Conflicting Content-Length Headers' };
    length = parsed;
  }
  return length !== undefined && length > maxBodyBytes
    ? { status: 413, reason: 'Request Entity Too Large' }
    : length;
}

/** Version (505), then Request-URI scheme (416), then Request-URI syntax (400). */
function checkRequestLine(line: RequestLine, config: ParserConfig): Uri | Problem {
  const version = checkVersion(line.version);
  if (version === 'unsupported') return { status: 505, reason: 'Version Not Supported' };
  if (version === 'malformed') return { status: 400, reason: 'Malformed SIP Version' };
  if (line.uriText.length === 0 || WHITESPACE.test(line.uriText))
    return { status: 400, reason: 'Malformed Request-Line' };
  const scheme = uriScheme(line.uriText);
  if (scheme === undefined) return { status: 400, reason: 'Malformed Request-URI' };
  if (!config.uriSchemes.has(scheme)) return { status: 416, reason: 'Unsupported URI Scheme' };
  const uri = parseUri(line.uriText);
  if (uri === undefined) return { status: 400, reason: 'Malformed Request-URI' };
  // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (uri instanceof SipUri && uri.headers.length > 0)
    return { status: 400, reason: 'Headers In Request-URI' };
  return uri;
}

function refuse(
  line: RequestLine | StatusLine,
  headers: SipHeaders,
  problem: Problem,
  contentLength: number | undefined,
  framed: boolean,
): HeadResult {
  const error =
    line.kind === 'request'
      ? reject(problem.status, problem.reason, { method: line.method, requestUri: line.uriText, headers })
      : drop(problem.reason);
  return { ok: false, error, contentLength, framed };
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value;
}

/**
 * Parses a complete head: `bytes` runs from the start line to just before the empty line's CRLF CRLF. The
 * headers keep the head's text as their source, so that a forwarded copy is written from slices of it
 * (SipHeaders.source).
 */
export function parseHead(bytes: Buffer, config: ParserConfig): HeadResult {
  const { limits } = config;
  if (bytes.length + 4 > limits.maxHeaderBytes) {
    return { ok: false, error: oversizedHead(bytes, config), contentLength: undefined, framed: false };
  }
  const utf8 = isUtf8(bytes);
  const encoding: HeadEncoding = utf8 ? 'utf8' : 'latin1';
  const text = bytes.toString(encoding);
  const firstEnd = text.indexOf(CRLF);
  const first = firstEnd === -1 ? text : text.slice(0, firstEnd);
  if (lineExceeds(first, 0, first.length, limits.maxLineLength, encoding)) {
    return { ok: false, error: oversizedStartLine(bytes, config), contentLength: undefined, framed: false };
  }
  const startLine = parseStartLine(first);
  if (startLine.kind === 'unrecognized') {
    return { ok: false, error: drop(startLine.why), contentLength: undefined, framed: false };
  }
  const bareLineBreak = hasBareLineBreak(text);
  const headers = new SipHeaders();
  // A head that is not UTF-8 or holds a stray line break is refused anyway.
  const rawLines = utf8 && !bareLineBreak;
  if (rawLines) headers.keepSource(text);
  const lineProblem =
    firstEnd === -1
      ? undefined
      : readHeaderLines(text, firstEnd + 2, limits, headers, encoding, bareLineBreak, rawLines);
  if (lineProblem?.status === 513) return refuse(startLine, headers, lineProblem, undefined, false);
  const contentLength = checkContentLength(headers, limits.maxBodyBytes);
  if (isProblem(contentLength)) return refuse(startLine, headers, contentLength, undefined, false);
  const uri = startLine.kind === 'request' ? checkRequestLine(startLine, config) : undefined;
  if (isProblem(uri)) return refuse(startLine, headers, uri, contentLength, true);
  const problem: Problem | undefined = !utf8
    ? { status: 400, reason: 'Malformed UTF-8' }
    : (lineProblem ?? (bareLineBreak ? { status: 400, reason: 'Malformed Line Break' } : undefined));
  if (problem !== undefined) return refuse(startLine, headers, problem, contentLength, true);
  const method = startLine.kind === 'request' ? startLine.method : undefined;
  const invalid = checkTransactionHeaders(headers, method);
  if (invalid !== undefined)
    return refuse(startLine, headers, { status: 400, reason: invalid }, contentLength, true);
  return { ok: true, head: buildHead(startLine, uri, headers), contentLength };
}

function buildHead(
  line: RequestLine | StatusLine,
  uri: Uri | undefined,
  headers: SipHeaders,
): RequestHead | ResponseHead {
  if (line.kind === 'response')
    return { kind: 'response', status: line.status, reason: line.reason, headers };
  if (uri === undefined) throw new Error('a request head needs its Request-URI');
  return { kind: 'request', method: line.method, uri, headers };
}

/** The error for a head that parsed but whose message cannot be accepted (body framing, size). */
export function refuseHead(
  head: RequestHead | ResponseHead,
  status: RejectStatus,
  reason: string,
): SipParseError {
  return head.kind === 'request'
    ? reject(status, reason, { method: head.method, requestUri: head.uri.toString(), headers: head.headers })
    : drop(reason);
}

/**
 * A start line longer than the limit: 414 for what begins like a request, drop otherwise. `bytes` starts
 * with the line; only its first maxLineLength bytes are looked at.
 */
export function oversizedStartLine(bytes: Buffer, config: ParserConfig): SipParseError {
  const line = bytes.toString('latin1', 0, Math.min(bytes.length, config.limits.maxLineLength));
  const space = line.indexOf(' ');
  const method = line.slice(0, Math.max(space, 0));
  if (startsLikeResponse(line) || !isToken(method)) return drop('start line too long');
  return reject(414, 'Request-URI Too Long', {
    method,
    requestUri: line.slice(space + 1),
    headers: new SipHeaders(),
  });
}

/**
 * A head larger than maxHeaderBytes (or not ended within it): 513 for a request, with the header lines that
 * fit within the limit read best-effort; drop otherwise.
 */
export function oversizedHead(bytes: Buffer, config: ParserConfig): SipParseError {
  const { limits } = config;
  const window = bytes.subarray(0, limits.maxHeaderBytes);
  const lastLineEnd = window.lastIndexOf(CRLF);
  const lines = window.subarray(0, lastLineEnd === -1 ? window.length : lastLineEnd);
  const encoding: HeadEncoding = isUtf8(lines) ? 'utf8' : 'latin1';
  const text = lines.toString(encoding);
  const firstEnd = text.indexOf(CRLF);
  const first = firstEnd === -1 ? text : text.slice(0, firstEnd);
  if (lastLineEnd === -1 || lineExceeds(first, 0, first.length, limits.maxLineLength, encoding)) {
    return oversizedStartLine(window, config);
  }
  const startLine = parseStartLine(first);
  if (startLine.kind !== 'request') return drop('header section too large');
  const headers = new SipHeaders();
  if (firstEnd !== -1) readHeaderLines(text, firstEnd + 2, limits, headers, encoding, true);
  return reject(513, 'Header Section Too Large', {
    method: startLine.method,
    requestUri: startLine.uriText,
    headers,
  });
}
