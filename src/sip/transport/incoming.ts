/**
 * What every transport does with parser output: stamp a request's top Via with where it really came from
 * (RFC 3261 §18.2.1, RFC 3581), and turn a parse error into the bytes to answer with, if any (errors.ts).
 */
import { createResponse } from '../message/create-response.js';
import type { SipMessage } from '../message/message.js';
import { serializeMessage } from '../message/serialize.js';
import { stampVia } from '../message/via-stack.js';
import type { SipParseError } from '../parser/errors.js';
import type { MessageSource } from './types.js';

/** Stamps a request's top Via in place; responses are passed unchanged. */
export function stampIncoming(message: SipMessage, source: MessageSource): void {
  if (message.kind === 'request') stampVia(message.headers, { address: source.host, port: source.port });
}

/**
 * The error response for a `reject` (built from the partial request, its Via stamped so that it reads as
 * what was received), undefined for a `drop`. Never throws: a partial request that cannot be answered is
 * dropped.
 */
export function errorAnswer(error: SipParseError, source: MessageSource): Buffer | undefined {
  if (error.kind === 'drop') return undefined;
  try {
    const headers = error.request.headers.clone();
    stampVia(headers, { address: source.host, port: source.port });
    return serializeMessage(createResponse({ headers }, error.status, error.reason));
  } catch {
    return undefined;
  }
}
