/**
 * The file-transfer message (sylk spec §4.3.3 FileTransferMessage): the JSON content of
 * application/sylk-file-transfer messages in the journal, the events and the pushes. Field names are the
 * wire's. Built here from an RCS FT-HTTP file-info (sylk spec §2.2) and read back from JSON.
 */
import type { FtHttpFileInfo } from './ft-http.js';
import { parseJsonObject } from './json-body.js';
import { fail, ok, type Result } from './result.js';
import { addDays, formatTimestamp, type Timestamp } from './timestamp.js';

export const FILE_TRANSFER_CONTENT_TYPE = 'application/sylk-file-transfer';

export interface FileTransferIdentity {
  /** An AOR (no scheme). */
  readonly uri: string;
  readonly display_name: string;
}

export interface FileTransferMessage {
  readonly filename: string;
  readonly filesize: number;
  readonly sender: FileTransferIdentity;
  readonly receiver: FileTransferIdentity;
  readonly transfer_id: string;
  readonly timestamp: string;
  readonly until: string;
  readonly url: string;
  readonly filetype: string;
  /** `sha-1:AB:CD:…`; absent when unknown (transfers announced over FT-HTTP). */
  readonly hash?: string;
}

/** JSON in the key order of sylk spec §4.3.3. */
export function serializeFileTransfer(message: FileTransferMessage): string {
  const { filename, filesize, sender, receiver, transfer_id, timestamp, until, url, filetype, hash } =
    message;
  return JSON.stringify({
    filename,
    filesize,
    sender: { uri: sender.uri, display_name: sender.display_name },
    receiver: { uri: receiver.uri, display_name: receiver.display_name },
    transfer_id,
    timestamp,
    until,
    url,
    filetype,
    ...(hash === undefined ? {} : { hash }),
  });
}

export interface FtHttpConversion {
  /** The message's Message-ID, which becomes the transfer id. */
  readonly transferId: string;
  /** Sender and receiver AORs. */
  readonly sender: string;
  readonly receiver: string;
  /** Server now: the timestamp; `until` is this plus expireDays, as the reference computes it. */
  readonly now: Timestamp;
  readonly expireDays: number;
}

/** The file-transfer message SylkServer makes of an FT-HTTP `file` entry (sylk spec §2.2). */
export function fileTransferFromFtHttp(
  info: FtHttpFileInfo,
  context: FtHttpConversion,
): Result<FileTransferMessage> {
  if (info.fileName === undefined || info.fileName === '') {
    return fail('malformed-ft-http', 'file-info of type file without file-name');
  }
  return ok({
    filename: info.fileName,
    filesize: info.fileSize,
    sender: { uri: context.sender, display_name: '' },
    receiver: { uri: context.receiver, display_name: '' },
    transfer_id: context.transferId,
    timestamp: formatTimestamp(context.now),
    until: formatTimestamp(addDays(context.now, context.expireDays)),
    url: info.url,
    filetype: info.contentType,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function identity(value: unknown): FileTransferIdentity | undefined {
  if (!isObject(value) || typeof value.uri !== 'string') return undefined;
  const name = value.display_name;
  if (name !== undefined && name !== null && typeof name !== 'string') return undefined;
  return { uri: value.uri, display_name: name ?? '' };
}

const STRING_FIELDS = ['filename', 'transfer_id', 'timestamp', 'until', 'url', 'filetype'] as const;

/** Reads the JSON content of an application/sylk-file-transfer message; other keys are dropped. */
export function parseFileTransfer(content: string): Result<FileTransferMessage> {
  const json = parseJsonObject(content);
  if (json === undefined) return fail('malformed-file-transfer', 'content is not a JSON object');
  for (const field of STRING_FIELDS) {
    if (typeof json[field] !== 'string') return fail('malformed-file-transfer', `${field} must be a string`);
  }
  const { filesize, hash } = json;
  if (typeof filesize !== 'number' || !Number.isSafeInteger(filesize) || filesize < 0) {
    return fail('malformed-file-transfer', 'filesize must be a non-negative integer');
  }
  if (hash !== undefined && hash !== null && typeof hash !== 'string') {
    return fail('malformed-file-transfer', 'hash must be a string');
  }
  const sender = identity(json.sender);
  const receiver = identity(json.receiver);
  if (sender === undefined || receiver === undefined) {
    return fail('malformed-file-transfer', 'sender and receiver must be {uri, display_name}');
  }
  const text = (field: (typeof STRING_FIELDS)[number]): string => json[field] as string;
  return ok({
    filename: text('filename'),
    filesize,
    sender,
    receiver,
    transfer_id: text('transfer_id'),
    timestamp: text('timestamp'),
    until: text('until'),
    url: text('url'),
    filetype: text('filetype'),
    ...(typeof hash === 'string' ? { hash } : {}),
  });
}
