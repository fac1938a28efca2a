/**
 * A message as the bytes to send (RFC 3261 §7): start line, headers in order with their canonical names
 * (compact forms expanded), Content-Length set to the body's length (added at the end when missing, earlier
 * duplicates dropped), the empty line, the body. One allocation for the whole message.
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

/** Start line, headers and the empty line. */
export function serializeHead(message: SipMessage): string {
  let head = startLine(message);
  let lengthWritten = false;
  for (const field of message.headers.fields()) {
    if (field.key === 'content-length') {
      if (lengthWritten) continue;
      lengthWritten = true;
      head += `Content-Length: ${message.body.length}\r\n`;
      continue;
    }
    head += `${spellingOfKey(field.key, field.name)}: ${field.value}\r\n`;
  }
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
