/**
 * A SIP MESSAGE read the way SylkServer's webrtcgateway reads it (sylk spec §2.2): CPIM unwrapped (inner
 * content type and content, Message-ID, Disposition-Notification, DateTime, CPIM From), any other body
 * decoded as UTF-8 or inflated when Content-Encoding says deflate, RCS FT-HTTP turned into a
 * file-transfer message, identities reduced to AORs. Pure: the message id generator and "now" come in.
 */
import { randomUUID } from 'node:crypto';
import { essence, getContentType, parseMediaType } from '../../sip/headers/content-type.js';
import { getFrom, getTo, type NameAddr } from '../../sip/headers/name-addr.js';
import type { SipRequest } from '../../sip/message/message.js';
import { isSipUri, type SipUri } from '../../sip/uri.js';
import { accountOfUri, uriWithoutScheme } from './aor.js';
import { decodeBody } from './body-decoding.js';
import { CPIM_CONTENT_TYPE, type CpimMessage, cpimHeaderValue } from './cpim.js';
import { parseCpimText } from './cpim-parse.js';
import {
  FILE_TRANSFER_CONTENT_TYPE,
  fileTransferFromFtHttp,
  serializeFileTransfer,
} from './file-transfer.js';
import { FT_HTTP_CONTENT_TYPE, parseFtHttp } from './ft-http.js';
import { fail, ok, type Result } from './result.js';
import type { Timestamp } from './timestamp.js';

export interface MessageIdentity {
  /** AOR: the URI without scheme (URI parameters kept, as the reference keeps them). */
  readonly uri: string;
  readonly displayName: string | null;
}

export interface ParsedMessage {
  /** Lower-cased type/subtype: the inner type for CPIM, application/sylk-file-transfer for FT-HTTP. */
  readonly contentType: string;
  readonly content: string;
  /**
   * The CPIM From when present and parseable, else the SIP From — the reference's rule. The CPIM From is
   * not authenticated by anyone (sylk spec §8.33): use sipSender for ownership and authorisation decisions.
   */
  readonly sender: MessageIdentity;
  /** The SIP From, asserted by the proxy. */
  readonly sipSender: MessageIdentity;
  /** The SIP To. */
  readonly recipient: MessageIdentity;
  /** `{From.user}@{From.host}` and `{To.user}@{To.host}` of the SIP headers (the storage accounts). */
  readonly fromAccount: string;
  readonly toAccount: string;
  /** The CPIM Disposition-Notification list; null when absent or not CPIM. */
  readonly disposition: readonly string[] | null;
  /** CPIM Message-ID, else a new UUIDv4. */
  readonly messageId: string;
  /** CPIM DateTime with its own offset, else the caller's now. */
  readonly timestamp: Timestamp;
  readonly isCpim: boolean;
  readonly cpim: CpimMessage | undefined;
}

export interface MessageParseOptions {
  /** Server now, with the server's offset (see localTimestamp). */
  readonly now: Timestamp;
  /** Largest inflated body accepted for Content-Encoding: deflate. */
  readonly maxDecompressedBytes: number;
  /** `filetransfer_expire_days`: `until` of file transfers announced over FT-HTTP. */
  readonly fileTransferExpireDays: number;
  /** Default crypto.randomUUID. */
  readonly newMessageId?: (() => string) | undefined;
}

export interface MessageParts {
  /** The Content-Type header value (parameters allowed). */
  readonly contentType: string;
  readonly body: Buffer;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly contentEncoding?: string | undefined;
}

interface Unwrapped {
  readonly contentType: string;
  readonly content: string;
  readonly cpim: CpimMessage | undefined;
}

function identityOf(uri: SipUri, displayName: string | undefined): MessageIdentity {
  return { uri: uriWithoutScheme(uri), displayName: displayName ?? null };
}

/** SylkServer splits on "," and trims; empty items carry nothing and are dropped. */
function dispositionOf(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Replaces an FT-HTTP document by the file-transfer message of its (last) `file` entry (sylk spec §2.2). */
function convertFtHttp(
  message: ParsedMessage,
  options: MessageParseOptions,
): Result<Pick<ParsedMessage, 'contentType' | 'content'>> {
  const document = parseFtHttp(message.content);
  if (!document.ok) return document;
  let converted: Pick<ParsedMessage, 'contentType' | 'content'> = message;
  for (const info of document.value.files) {
    if (info.type !== 'file') continue;
    const transfer = fileTransferFromFtHttp(info, {
      transferId: message.messageId,
      sender: message.sender.uri,
      receiver: message.recipient.uri,
      now: options.now,
      expireDays: options.fileTransferExpireDays,
    });
    if (!transfer.ok) return transfer;
    converted = { contentType: FILE_TRANSFER_CONTENT_TYPE, content: serializeFileTransfer(transfer.value) };
  }
  return ok(converted);
}

/**
 * The parsed MESSAGE. The errors SylkServer answers 400 to (sylk spec §2.1) are 'missing-header', 'empty-body',
 * 'malformed-cpim' and, for message/cpim, 'invalid-utf8'; on every other error it has already answered 200
 * and drops the message ('invalid-utf8', 'decompress-failed', 'too-large', 'malformed-ft-http').
 */
export function parseMessageParts(parts: MessageParts, options: MessageParseOptions): Result<ParsedMessage> {
  const mediaType = parseMediaType(parts.contentType);
  if (mediaType === undefined) return fail('missing-header', 'malformed Content-Type');
  const fromUri = parts.from.uri;
  const toUri = parts.to.uri;
  if (!isSipUri(fromUri) || !isSipUri(toUri)) return fail('missing-header', 'From and To must be SIP URIs');
  if (parts.body.length === 0) return fail('empty-body', 'empty body');
  const decoded = decodeBody(parts.body, {
    contentEncoding: parts.contentEncoding,
    maxDecompressedBytes: options.maxDecompressedBytes,
  });
  if (!decoded.ok) return decoded;
  const sipContentType = essence(mediaType);
  let unwrapped: Unwrapped = { contentType: sipContentType, content: decoded.value.text, cpim: undefined };
  if (sipContentType === CPIM_CONTENT_TYPE) {
    const cpim = parseCpimText(decoded.value.text);
    if (!cpim.ok) return cpim;
    unwrapped = { contentType: cpim.value.contentType, content: cpim.value.content, cpim: cpim.value };
  }
  const cpim = unwrapped.cpim;
  const sipSender = identityOf(fromUri, parts.from.displayName);
  const cpimSender = cpim?.sender;
  const message: ParsedMessage = {
    contentType: unwrapped.contentType,
    content: unwrapped.content,
    sender: cpimSender === undefined ? sipSender : identityOf(cpimSender.uri, cpimSender.displayName),
    sipSender,
    recipient: identityOf(toUri, parts.to.displayName),
    fromAccount: accountOfUri(fromUri),
    toAccount: accountOfUri(toUri),
    disposition: cpim === undefined ? null : dispositionOf(cpimHeaderValue(cpim, 'Disposition-Notification')),
    messageId:
      (cpim === undefined ? undefined : cpimHeaderValue(cpim, 'Message-ID')) ??
      (options.newMessageId ?? randomUUID)(),
    timestamp: cpim?.timestamp ?? options.now,
    isCpim: cpim !== undefined,
    cpim,
  };
  if (message.contentType !== FT_HTTP_CONTENT_TYPE) return ok(message);
  const converted = convertFtHttp(message, options);
  return converted.ok ? ok({ ...message, ...converted.value }) : converted;
}

/** The parsed MESSAGE of a request; 'missing-header' when Content-Type, From or To is absent or malformed. */
export function parseMessageRequest(
  request: SipRequest,
  options: MessageParseOptions,
): Result<ParsedMessage> {
  const contentType = getContentType(request.headers);
  const from = getFrom(request.headers);
  const to = getTo(request.headers);
  if (contentType === undefined || from === undefined || to === undefined) {
    return fail('missing-header', 'Content-Type, From or To missing or malformed');
  }
  return parseMessageParts(
    {
      contentType: request.headers.get('Content-Type') ?? '',
      body: request.body,
      from,
      to,
      contentEncoding: request.headers.get('Content-Encoding'),
    },
    options,
  );
}
