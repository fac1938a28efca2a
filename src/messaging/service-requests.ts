/**
 * The SIP MESSAGEs a WebSocket device's operations become (sylk spec §2.7 rows A and B): the CPIM body
 * SylkServer sends, in a request shaped as a SIP device's own MESSAGE, so that the service's intake admits
 * and applies it by the very rules a SIP device's MESSAGE goes through. Builders answer a ServiceResult:
 * what cannot be written (a bad id, an unparseable timestamp) is the client's mistake.
 */
import { SipHeaders } from '../sip/headers/header-list.js';
import { generateCallId, generateTag } from '../sip/message/ids.js';
import { SipRequest } from '../sip/message/message.js';
import { isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import {
  buildImdn,
  buildSylkCpim,
  type ImdnNotification,
  parseTimestamp,
  type Timestamp,
} from './formats/index.js';
import {
  FILE_TRANSFER_CONTENT_TYPE,
  type FileTransferMessage,
  serializeFileTransfer,
} from './formats/file-transfer.js';
import type { OutgoingDisposition, OutgoingMessage, ServiceResult } from './service.js';

/** What sylkrtc.js asks for on every message (sylk spec §1.4.6 step 3). */
const REQUESTED_DISPOSITIONS = ['positive-delivery', 'display'] as const;

export interface WireMessage {
  readonly request: SipRequest;
  readonly timestamp: Timestamp;
}

/** sylk spec §1.4.6 steps 1 and 3: text as UTF-8, any other type one byte per character (latin-1). */
export function messageRequest(
  sender: string,
  recipient: string,
  message: OutgoingMessage,
): ServiceResult<WireMessage> {
  const timestamp = parseTimestamp(message.timestamp);
  if (timestamp === undefined) return invalid('Invalid Timestamp');
  if (message.messageId.trim() === '') return invalid('Missing Message Id');
  const content = Buffer.from(message.content, message.contentType.startsWith('text') ? 'utf8' : 'latin1');
  return cpimRequest(sender, recipient, {
    timestamp,
    messageId: message.messageId,
    disposition: REQUESTED_DISPOSITIONS,
    contentType: message.contentType,
    content,
  });
}

/**
 * sylk spec §2.7 row E: the message that announces a completed file transfer, from the sender to the
 * receiver, with the transfer id as its Message-ID and the JSON of sylk spec §4.3.3 as its content; DateTime is `now`
 * without microseconds, as the reference writes it.
 */
export function fileTransferRequest(
  transfer: FileTransferMessage,
  now: Timestamp,
): ServiceResult<WireMessage> {
  if (transfer.transfer_id.trim() === '') return invalid('Missing Transfer Id');
  return cpimRequest(transfer.sender.uri, transfer.receiver.uri, {
    timestamp: { ...now, microsecond: 0 },
    messageId: transfer.transfer_id,
    disposition: REQUESTED_DISPOSITIONS,
    contentType: FILE_TRANSFER_CONTENT_TYPE,
    content: Buffer.from(serializeFileTransfer(transfer), 'utf8'),
  });
}

/**
 * sylk spec §1.4.7, recommended variant: every state has its notification (failed a delivery one, forbidden
 * a display one), the IMDN's own id is fresh and it asks for no notification itself.
 */
export function dispositionRequest(
  sender: string,
  recipient: string,
  disposition: OutgoingDisposition,
  now: Timestamp,
  newId: () => string,
): ServiceResult<WireMessage> {
  const recipientUri = sipUri(recipient);
  if (recipientUri === undefined) return invalid('Invalid Recipient');
  const xml = buildImdn({
    messageId: disposition.messageId,
    datetime: disposition.messageTimestamp,
    recipientUri: recipientUri.toString(),
    status: disposition.state,
    notification: NOTIFICATIONS[disposition.state],
  });
  if (!xml.ok) return invalid('Invalid Disposition');
  return cpimRequest(sender, recipient, {
    timestamp: now,
    messageId: newId(),
    disposition: undefined,
    contentType: 'message/imdn+xml',
    content: xml.value,
  });
}

const NOTIFICATIONS: Readonly<Record<OutgoingDisposition['state'], ImdnNotification>> = {
  delivered: 'delivery',
  failed: 'delivery',
  displayed: 'display',
  error: 'display',
  forbidden: 'display',
};

interface CpimParts {
  readonly timestamp: Timestamp;
  readonly messageId: string;
  readonly disposition: readonly string[] | undefined;
  readonly contentType: string;
  readonly content: Buffer;
}

function cpimRequest(sender: string, recipient: string, parts: CpimParts): ServiceResult<WireMessage> {
  const from = sipUri(sender);
  const to = sipUri(recipient);
  if (from === undefined || to === undefined) return invalid('Invalid Recipient');
  const body = buildSylkCpim({
    sender: { uri: from },
    recipient: { uri: to },
    timestamp: parts.timestamp,
    messageId: parts.messageId,
    disposition: parts.disposition,
    contentType: parts.contentType,
    content: parts.content,
  });
  if (!body.ok) return invalid('Invalid Message');
  const headers = SipHeaders.of([
    ['Max-Forwards', '70'],
    ['From', `<${from.toString()}>;tag=${generateTag()}`],
    ['To', `<${to.toString()}>`],
    ['Call-ID', generateCallId()],
    ['CSeq', '1 MESSAGE'],
    ['Content-Type', 'message/cpim'],
  ]);
  const request = new SipRequest({ method: 'MESSAGE', uri: to, headers, body: body.value });
  return { ok: true, value: { request, timestamp: parts.timestamp } };
}

function sipUri(account: string): SipUri | undefined {
  const uri = parseUri(`sip:${account}`);
  return uri !== undefined && isSipUri(uri) ? uri : undefined;
}

function invalid<T>(reason: string): ServiceResult<T> {
  return { ok: false, refusal: { kind: 'invalid', reason } };
}
