/**
 * What the parser says about input it cannot accept. A request gets a `reject`: the status and reason
 * phrase to answer with and the partial request (method, Request-URI text and whatever header fields could
 * be read, so createResponse can copy Via, From, To, Call-ID and CSeq). Responses and input that is not
 * recognisably a request are `drop`ped: nobody can be answered (RFC 3261 §16.3, RFC 4475 §3.1.2.5,
 * §3.1.2.19).
 */
import type { SipHeaders } from '../headers/header-list.js';

/**
 * 400 syntax, 413 body too large, 414 start line too long, 416 Request-URI scheme, 505 SIP version,
 * 513 header section too large (too many or too long lines).
 */
export type RejectStatus = 400 | 413 | 414 | 416 | 505 | 513;

export interface PartialRequest {
  readonly method: string;
  /** As received (possibly truncated); not necessarily a valid URI. */
  readonly requestUri: string;
  readonly headers: SipHeaders;
}

export interface RejectError {
  readonly kind: 'reject';
  readonly status: RejectStatus;
  /** A reason phrase for the response, naming the problem (e.g. "Malformed Via Header"). */
  readonly reason: string;
  readonly request: PartialRequest;
}

export interface DropError {
  readonly kind: 'drop';
  /** Why, for logs. */
  readonly reason: string;
}

export type SipParseError = RejectError | DropError;

export function reject(status: RejectStatus, reason: string, request: PartialRequest): RejectError {
  return { kind: 'reject', status, reason, request };
}

export function drop(reason: string): DropError {
  return { kind: 'drop', reason };
}
