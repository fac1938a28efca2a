/** Shared helpers for the SIP tests: messages written with \n line ends, parsed and checked. */
import assert from 'node:assert/strict';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import type { SipParseError } from '../../src/sip/parser/errors.js';

/** A message written with "\n" line ends, as bytes with CRLF line ends. */
export function wire(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

/** Head lines (one per element) followed by the empty line and the body. */
export function message(lines: readonly string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

export const BASIC_HEADERS = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9',
  'Max-Forwards: 70',
  'From: Alice <sip:alice@example.com>;tag=9fxced76sl',
  'To: Bob <sip:bob@example.com>',
  'Call-ID: 3848276298220188511@192.0.2.1',
  'CSeq: 1 MESSAGE',
];

export function request(
  extra: readonly string[] = [],
  body = '',
  startLine = 'MESSAGE sip:bob@example.com SIP/2.0',
): Buffer {
  return message([startLine, ...BASIC_HEADERS, ...extra, `Content-Length: ${Buffer.byteLength(body)}`], body);
}

export function parseMessage(bytes: Buffer): SipMessage {
  const result = parseDatagram(bytes);
  if (result.kind !== 'message') assert.fail(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

export function parseRequest(bytes: Buffer): SipRequest {
  const parsed = parseMessage(bytes);
  if (parsed.kind !== 'request') assert.fail('expected a request');
  return parsed;
}

export function parseResponse(bytes: Buffer): SipResponse {
  const parsed = parseMessage(bytes);
  if (parsed.kind !== 'response') assert.fail('expected a response');
  return parsed;
}

export function parseError(bytes: Buffer): SipParseError {
  const result = parseDatagram(bytes);
  if (result.kind !== 'error') assert.fail(`expected an error, got ${result.kind}`);
  return result.error;
}

/** Asserts a reject with this status (and reason, when given) and returns it. */
export function expectReject(
  bytes: Buffer,
  status: number,
  reason?: string,
): Extract<SipParseError, { kind: 'reject' }> {
  const error = parseError(bytes);
  if (error.kind !== 'reject') assert.fail(`expected a reject ${status}, got drop: ${error.reason}`);
  assert.equal(error.status, status, error.reason);
  if (reason !== undefined) assert.equal(error.reason, reason);
  return error;
}

export function expectDrop(bytes: Buffer): void {
  const error = parseError(bytes);
  assert.equal(error.kind, 'drop', JSON.stringify(error));
}
