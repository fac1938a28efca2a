/**
 * One UDP datagram = one message (RFC 3261 §18.3). The body is the rest of the datagram, cut to
 * Content-Length when there is one; a Content-Length larger than what arrived is a 400 (RFC 4475 §3.1.2.2).
 * Bytes after the body are ignored (RFC 4475 §3.1.1.8). A datagram of only CRLFs, or empty, is a keepalive.
 */
import type { SipMessage } from '../message/message.js';
import type { SipParseError } from './errors.js';
import { oversizedHead, parseHead, refuseHead } from './head.js';
import { DEFAULT_PARSER_CONFIG, type ParserConfig } from './limits.js';
import { messageFromHead } from './message-from-head.js';

export type DatagramResult =
  | { readonly kind: 'message'; readonly message: SipMessage }
  | { readonly kind: 'keepalive' }
  | { readonly kind: 'error'; readonly error: SipParseError };

const CR = 0x0d;
const LF = 0x0a;
const EMPTY_LINE = Buffer.from('\r\n\r\n');

function failed(error: SipParseError): DatagramResult {
  return { kind: 'error', error };
}

/**
 * Parses a datagram; `config` comes from parserConfig(options). Never throws. The body is a view of
 * `packet`.
 */
export function parseDatagram(packet: Buffer, config: ParserConfig = DEFAULT_PARSER_CONFIG): DatagramResult {
  let start = 0;
  while (start < packet.length && (packet[start] === CR || packet[start] === LF)) start++;
  if (start === packet.length) return { kind: 'keepalive' };
  const headEnd = packet.indexOf(EMPTY_LINE, start);
  if (headEnd === -1) {
    if (packet.length - start + 4 > config.limits.maxHeaderBytes) {
      return failed(oversizedHead(packet.subarray(start), config));
    }
    const unterminated = parseHead(packet.subarray(start), config);
    if (!unterminated.ok) return failed(unterminated.error);
    // The empty line is required even without a body (RFC 3261 §7).
    return failed(refuseHead(unterminated.head, 400, 'Missing Empty Line'));
  }
  const result = parseHead(packet.subarray(start, headEnd), config);
  if (!result.ok) return failed(result.error);
  const { head, contentLength } = result;
  const bodyStart = headEnd + 4;
  const available = packet.length - bodyStart;
  if (contentLength !== undefined && contentLength > available) {
    return failed(refuseHead(head, 400, 'Content-Length Exceeds Datagram'));
  }
  const length = contentLength ?? available;
  if (length > config.limits.maxBodyBytes) return failed(refuseHead(head, 413, 'Request Entity Too Large'));
  return { kind: 'message', message: messageFromHead(head, packet.subarray(bodyStart, bodyStart + length)) };
}
