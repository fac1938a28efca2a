/** What tests read of a SIP message's fields, and the predicates they match messages with. */
import type { SipMessage, SipRequest } from '../../src/sip/message/message.js';

/** Whether `message` belongs to `request` (same Call-ID and CSeq). */
export function isFor(message: SipMessage, request: SipRequest): boolean {
  return (
    message.headers.get('Call-ID') === request.headers.get('Call-ID') &&
    message.headers.get('CSeq') === request.headers.get('CSeq')
  );
}

/** Whether `message` is a `method` request of the dialog `callId`. */
export function isRequestOf(method: string, callId: string | undefined): (message: SipMessage) => boolean {
  return (message) =>
    message.kind === 'request' && message.method === method && message.headers.get('Call-ID') === callId;
}

/** The Call-ID of a message (every message the agents see has one). */
export function callIdOf(message: SipMessage): string {
  return message.headers.get('Call-ID') ?? '';
}

/** The CSeq number of a message. */
export function cseqOf(message: SipMessage): number {
  return Number.parseInt(message.headers.get('CSeq') ?? '', 10);
}

/** The branch of a message's top Via. */
export function branchOf(message: SipMessage): string {
  return /;\s*branch=([^;,\s]+)/i.exec(message.headers.get('Via') ?? '')?.[1] ?? '';
}

/** The tag of a message's From. */
export function fromTagOf(message: SipMessage): string | undefined {
  return /;\s*tag=([^;\s]+)/i.exec(message.headers.get('From') ?? '')?.[1];
}
