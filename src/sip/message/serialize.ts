/**
 * A message as the bytes to send (RFC 3261 §7): start line, headers in order with their canonical names
 * (compact forms expanded), Content-Length set to the body's length (added at the end when missing, earlier
 * duplicates dropped), the empty line, the body. One allocation for the whole message.
 *
 * A received message's header lines that are already in that form (HeaderField.rawStart) are taken from
 * the received head instead of being written again, consecutive lines as one slice: a forwarded request or
 * response costs new text only for the lines the proxy changed (Via, Max-Forwards, Route, Record-Route).
 * The bytes are the same either way. The slices are of the received head's text, not of its bytes: in V8 a
 * slice of a string is a small object and the head is encoded once, while copying Buffer ranges costs a
 * native call and a view each, which made the forwarded MESSAGE slower to write than the text was.
 */
import { spellingOfKey } from '../headers/names.js';
import { SIP_VERSION, type SipMessage } from './message.js';

const LINE_BREAK = /[\r\n]/;

/** Header values are checked when set (SipHeaders); the start line is checked here, as its parts are plain fields. */
function startLine(message: SipMessage): string {
  const line =
    message.kind === 'request'
      ? `${message.method} ${message.uri.toString()} ${SIP_VERSION}`
      : `${SIP_VERSION} ${message.status} ${message.reason}`;
  if (LINE_BREAK.test(line)) throw new TypeError('a start line cannot hold a line break');
  return `${line}\r\n`;
}

/**
 * Start line, headers and the empty line. Runs of consecutive received lines in serialized form are one
 * slice of the received head's text each (SipHeaders.source); every other line is written anew.
 */
export function serializeHead(message: SipMessage): string {
  const source = message.headers.source;
  let head = startLine(message);
  let runStart = -1;
  let runEnd = -1;
  let lengthWritten = false;
  for (const field of message.headers.fields()) {
    if (source !== undefined && field.rawStart !== -1 && field.key !== 'content-length') {
      // The next line of the run when only the CRLF between them lies in between.
      if (runStart !== -1 && field.rawStart === runEnd + 2) {
        runEnd = field.rawEnd;
        continue;
      }
      if (runStart !== -1) head += `${source.slice(runStart, runEnd)}\r\n`;
      runStart = field.rawStart;
      runEnd = field.rawEnd;
      continue;
    }
    if (runStart !== -1) {
      head += `${source?.slice(runStart, runEnd)}\r\n`;
      runStart = -1;
    }
    if (field.key === 'content-length') {
      if (lengthWritten) continue;
      lengthWritten = true;
      head += `Content-Length: ${message.body.length}\r\n`;
      continue;
    }
    head += `${spellingOfKey(field.key, field.name)}: ${field.value}\r\n`;
  }
  if (runStart !== -1) head += `${source?.slice(runStart, runEnd)}\r\n`;
  if (!lengthWritten) head += `Content-Length: ${message.body.length}\r\n`;
  return `${head}\r\n`;
}

export function serializeMessage(message: SipMessage): Buffer {
  const head = serializeHead(message);
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + message.body.length);
  out.write(head, 0, 'utf8');
  message.body.copy(out, headLength);
  return out;
}
