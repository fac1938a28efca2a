/** A parsed head and its body bytes → the message. */
import { SipRequest, SipResponse, type SipMessage } from '../message/message.js';
import type { RequestHead, ResponseHead } from './head.js';

export function messageFromHead(head: RequestHead | ResponseHead, body: Buffer): SipMessage {
  return head.kind === 'request'
    ? new SipRequest({ method: head.method, uri: head.uri, headers: head.headers, body })
    : new SipResponse({ status: head.status, reason: head.reason, headers: head.headers, body });
}
