/**
 * A message as the bytes to send (RFC 3261 §7): start line, headers in order with their canonical names
 * (compact forms expanded), Content-Length set to the body's length (added at the end when missing, earlier
 * duplicates dropped), the empty line, the body. One allocation for the whole message.
 *
 * A received message's header lines that are already in that form (HeaderField.rawStart) are copied from
 * the received bytes instead of being written again, consecutive lines in one copy: a forwarded request or
 * response costs new text only for the lines the proxy changed (Via, Max-Forwards, Route, Record-Route).
 * The bytes are the same either way.
 */
import type { HeaderField } from '../headers/header-list.js';
import { spellingOfKey } from '../headers/names.js';
import { SIP_VERSION, type SipMessage } from './message.js';

const LINE_BREAK = /[\r\n]/;
const CRLF = '\r\n';

/** Header values are checked when set (SipHeaders); the start line is checked here, as its parts are plain fields. */
function startLine(message: SipMessage): string {
  const line =
    message.kind === 'request'
      ? `${message.method} ${message.uri.toString()} ${SIP_VERSION}`
      : `${SIP_VERSION} ${message.status} ${message.reason}`;
  if (LINE_BREAK.test(line)) throw new TypeError('a start line cannot hold a line break');
  return `${line}\r\n`;
}

function lineOf(field: HeaderField, message: SipMessage): string {
  return field.key === 'content-length'
    ? `Content-Length: ${message.body.length}\r\n`
    : `${spellingOfKey(field.key, field.name)}: ${field.value}\r\n`;
}

/** Start line, headers and the empty line. */
export function serializeHead(message: SipMessage): string {
  let head = startLine(message);
  let lengthWritten = false;
  for (const field of message.headers.fields()) {
    if (field.key === 'content-length') {
      if (lengthWritten) continue;
      lengthWritten = true;
    }
    head += lineOf(field, message);
  }
  if (!lengthWritten) head += `Content-Length: ${message.body.length}\r\n`;
  return `${head}\r\n`;
}

export function serializeMessage(message: SipMessage): Buffer {
  const source = message.headers.source;
  if (source !== undefined) return fromSlices(message, source);
  const head = serializeHead(message);
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + message.body.length);
  out.write(head, 0, 'utf8');
  message.body.copy(out, headLength);
  return out;
}

/**
 * The head as alternating pieces: text (even indexes, possibly empty) and runs of received lines (odd
 * indexes, [start, end) of `source` without the last line's CRLF), then written into one buffer.
 */
function fromSlices(message: SipMessage, source: Buffer): Buffer {
  const texts: string[] = [];
  const runs: number[] = [];
  let text = startLine(message);
  let runStart = -1;
  let runEnd = -1;
  let lengthWritten = false;
  for (const field of message.headers.fields()) {
    if (field.rawStart !== -1 && field.key !== 'content-length') {
      // The next line of the run when only the CRLF between them lies in between.
      if (field.rawStart === runEnd + 2 && runStart !== -1) {
        runEnd = field.rawEnd;
        continue;
      }
      if (runStart !== -1) {
        texts.push(text);
        runs.push(runStart, runEnd);
        text = CRLF;
      }
      runStart = field.rawStart;
      runEnd = field.rawEnd;
      continue;
    }
    if (field.key === 'content-length') {
      if (lengthWritten) continue;
      lengthWritten = true;
    }
    if (runStart !== -1) {
      texts.push(text);
      runs.push(runStart, runEnd);
      runStart = -1;
      runEnd = -1;
      text = CRLF;
    }
    text += lineOf(field, message);
  }
  if (runStart !== -1) {
    texts.push(text);
    runs.push(runStart, runEnd);
    text = CRLF;
  }
  if (!lengthWritten) text += `Content-Length: ${message.body.length}\r\n`;
  texts.push(`${text}\r\n`);
  let length = message.body.length;
  for (const piece of texts) length += Buffer.byteLength(piece, 'utf8');
  for (let i = 0; i < runs.length; i += 2) length += (runs[i + 1] ?? 0) - (runs[i] ?? 0);
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    at += out.write(texts[i] ?? '', at, 'utf8');
    if (2 * i < runs.length) at += source.copy(out, at, runs[2 * i], runs[2 * i + 1]);
  }
  message.body.copy(out, at);
  return out;
}
