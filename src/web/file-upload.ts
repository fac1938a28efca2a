/**
 * POST /webrtcgateway/filetransfer/{sender}/{receiver}/{transfer_id}/{filename} (sylk spec §4.3.2): the
 * request body is the file, streamed to disk as it arrives (never held in memory) through the file store
 * (src/files/), which keeps nothing of an upload that does not end with every announced byte. Once stored,
 * the messaging service announces it (sylk spec §2.7 rows E–H) and the answer is `200 OK`.
 *
 * Every refusal comes before a byte of the body is read, and closes the connection so that the body is not
 * read at all: 411 without Content-Length (the reference fails with a 500), 413 over the size limit, 507
 * over the account's quota, 401/403 without the sender's authentication (uploader-check.ts), 403 for a name
 * that is refused (src/files/naming.ts), 404 when neither account keeps files here.
 */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { FileTransferStore } from '../files/transfer-store.js';
import { placeOf, TransferLayout } from '../files/transfer-layout.js';
import { safeName } from '../files/naming.js';
import {
  addDays,
  type FileTransferMessage,
  formatTimestamp,
  localTimestamp,
} from '../messaging/formats/index.js';
import { authenticatedAccount, type MessagingService } from '../messaging/service.js';
import type { StorageAccountStore } from '../store/storage-accounts/storage-account-store.js';
import type { Clock } from '../time/clock.js';
import { accountOfPath } from './account.js';
import type { ActiveUploads } from './active-uploads.js';
import type { WebEnv } from './peer.js';
import type { TokenCheck } from './token-check.js';
import { checkUploader, type RegisteredAccounts } from './uploader-check.js';

export const FILE_TRANSFER_PATH = '/webrtcgateway/filetransfer';

export interface FileUploadOptions {
  readonly files: FileTransferStore;
  readonly accounts: StorageAccountStore;
  readonly messaging: MessagingService | undefined;
  readonly tokens: TokenCheck;
  readonly registered: RegisteredAccounts | undefined;
  readonly uploads: ActiveUploads;
  readonly clock: Clock;
  /** The base of download URLs (`https://host:port`, no trailing slash). */
  readonly publicUrl: string;
  /** sylk spec §4.3.3: `until` is the upload's time plus this many days. */
  readonly expireDays: number;
  readonly logger?: Logger | undefined;
}

/** Device of the messaging calls an upload makes: no sylkRTC connection caused them. */
const HTTP_UPLOAD = { id: 'http-upload' } as const;

export async function upload(c: Context<WebEnv>, options: FileUploadOptions): Promise<Response> {
  const { files, logger } = options;
  const incoming = c.env.raw?.incoming;
  if (incoming === undefined) return refuseUpload(c, 500, 'Internal Server Error');
  // The route's first two segments: here the sender's and the receiver's AORs (a download has hashes there).
  const sender = accountOfPath(c.req.param('first') ?? '');
  const receiver = accountOfPath(c.req.param('second') ?? '');
  if (sender === undefined || receiver === undefined || !sender.includes('@') || !receiver.includes('@'))
    return refuseUpload(c, 400, 'Bad Request: the sender and the receiver must be user@domain');
  const transferId = safeName(c.req.param('transferId') ?? '');
  if (!transferId.ok) return refuseUpload(c, 403, `Forbidden: transfer id refused: ${transferId.reason}`);
  const filename = safeName(c.req.param('filename') ?? '');
  if (!filename.ok) return refuseUpload(c, 403, `Forbidden: file name refused: ${filename.reason}`);
  const verdict = await checkUploader(c, sender, options.tokens, options.registered);
  if (verdict.kind === 'refused') {
    if (verdict.retryAfter !== undefined) c.header('Retry-After', String(verdict.retryAfter));
    return refuseUpload(c, verdict.status, verdict.text);
  }
  const length = contentLength(incoming.headers['content-length']);
  if (length === undefined)
    return refuseUpload(c, 411, 'Length Required: send the file with a Content-Length');
  if (length === 'invalid') return refuseUpload(c, 400, 'Bad Request: invalid Content-Length');
  const senderFirst = (await options.accounts.get(sender)) !== undefined;
  if (!senderFirst && (await options.accounts.get(receiver)) === undefined)
    return refuseUpload(c, 404, 'Not Found: neither account keeps files here');
  const place = placeOf(sender, receiver, transferId.name, filename.name, senderFirst);
  const begun = await files.begin(place, length);
  if (begun.kind === 'too-large')
    return refuseUpload(
      c,
      413,
      `Payload Too Large: a file may have ${String(begun.maxFileBytes)} bytes at most`,
    );
  if (begun.kind === 'quota') {
    const left = Math.max(0, begun.quotaBytes - begun.usedBytes);
    return refuseUpload(
      c,
      507,
      `Insufficient Storage: ${sender} has ${String(left)} of its ${String(begun.quotaBytes)} bytes left; remove older transfers or send a smaller file`,
    );
  }
  const stored = begun.upload;
  const forget = options.uploads.add(transferId.name, () => {
    incoming.socket.destroy();
  });
  let received;
  try {
    received = await stored.receive(incoming);
  } finally {
    forget();
  }
  if (received.kind !== 'received') {
    logger?.info(
      { sender, transferId: transferId.name, bytes: length, outcome: received.kind },
      'upload not completed',
    );
    return refuseUpload(c, 400, 'Bad Request: the body ended before Content-Length bytes');
  }
  const now = localTimestamp(options.clock.now());
  const transfer: FileTransferMessage = {
    filename: filename.name,
    filesize: received.bytes,
    sender: { uri: sender, display_name: '' },
    receiver: { uri: receiver, display_name: '' },
    transfer_id: transferId.name,
    timestamp: formatTimestamp(now),
    until: formatTimestamp(addDays(now, options.expireDays)),
    url: `${options.publicUrl}${FILE_TRANSFER_PATH}/${TransferLayout.urlPath(place)}`,
    filetype: contentTypeOf(incoming.headers['content-type']),
    hash: received.sha1,
  };
  try {
    await stored.complete({
      ...transfer,
      prefix: place.first.slice(0, 1),
      path: files.layout.directory(place),
    });
  } catch (error) {
    logger?.error({ err: error, sender, transferId: transferId.name }, 'uploaded file not stored');
    return refuseUpload(c, 500, 'Internal Server Error: the file could not be stored');
  }
  logger?.info({ sender, receiver, transferId: transferId.name, bytes: received.bytes }, 'file uploaded');
  if (options.messaging === undefined) return ok(c);
  const caller = { account: authenticatedAccount(sender), device: HTTP_UPLOAD };
  const announced = await options.messaging.announceFileTransfer(caller, transfer);
  if (!announced.ok) {
    logger?.warn(
      { sender, transferId: transferId.name, refusal: announced.refusal },
      'file transfer not announced',
    );
    c.header('Retry-After', '5');
    return refuseUpload(
      c,
      503,
      `Service Unavailable: the file is stored but was not announced (${announced.refusal.reason})`,
    );
  }
  return ok(c);
}

function ok(c: Context): Response {
  return c.body('OK', 200, { 'Content-Type': 'text/plain; charset=utf-8' });
}

/** A refusal closes the connection: the body that may follow is not read (nor drained). */
export function refuseUpload(
  c: Context,
  status: 400 | 401 | 403 | 404 | 411 | 413 | 429 | 500 | 503 | 507,
  text: string,
): Response {
  return c.body(text, status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
}

function contentLength(value: string | undefined): number | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const n = Number(value);
  return /^[0-9]{1,16}$/.test(value) && Number.isSafeInteger(n) ? n : 'invalid';
}

/** The Content-Type as the file's type (sylk spec §4.3.2), parameters kept; default octet-stream. */
function contentTypeOf(value: string | undefined): string {
  const type = value?.trim();
  return type === undefined || type === '' || type.length > 200 || /[\x00-\x1f\x7f]/.test(type)
    ? 'application/octet-stream'
    : type;
}
