/**
 * GET and HEAD /webrtcgateway/filetransfer/{H1}/{H2}/{transfer_id}/{filename} (sylk spec §4.3.5): the stored
 * file, streamed from disk. Pictures and videos are `inline` with their type guessed from the extension,
 * anything else an `attachment`. Better than the reference: `Range` (a single range, RFC 9110 §14: 206, or
 * 416 with the size), `HEAD`, `ETag` and `Last-Modified` (from the file's size and mtime, so conditional
 * requests cost a stat). Whether a download needs the sender's or the receiver's API token is a setting;
 * by default, as in the reference, the URL (its client-chosen transfer id) is the only secret.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { FileTransferStore } from '../files/transfer-store.js';
import { METADATA_PREFIX } from '../files/naming.js';
import { accountOfPath } from './account.js';
import type { WebEnv } from './peer.js';
import { peerAddress } from './peer.js';
import { refuseUpload } from './file-upload.js';
import type { TokenCheck } from './token-check.js';

export interface FileDownloadOptions {
  readonly files: FileTransferStore;
  readonly tokens: TokenCheck;
  /** Downloads need the sender's or the receiver's API token. */
  readonly requireToken: boolean;
  /** Headers every answer of the route carries (Server, CORS), for the body written to the socket directly. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly logger?: Logger | undefined;
}

/** sylk spec §4.3.5: the extensions served inline, and their types. */
const INLINE_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.mov': 'video/quicktime',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

export async function download(c: Context<WebEnv>, options: FileDownloadOptions): Promise<Response> {
  const { first = '', second = '', transferId = '', filename = '' } = c.req.param();
  const opened = await options.files.open(first, second, transferId, filename);
  if (opened.kind === 'invalid') return refuseUpload(c, 403, `Forbidden: ${opened.reason}`);
  if (opened.kind === 'missing') return refuseUpload(c, 404, 'Not Found');
  if (options.requireToken) {
    const refusal = await checkDownloader(c, opened.path, options.tokens);
    if (refusal !== undefined) return refusal;
  }
  const { stats, path } = opened;
  const size = stats.size;
  const etag = `"${size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const extension = extname(opened.filename).toLowerCase();
  const inline = INLINE_TYPES[extension];
  const headers: Record<string, string> = {
    'Content-Type': inline ?? 'application/octet-stream',
    'Content-Disposition': `${inline === undefined ? 'attachment' : 'inline'};filename="${opened.filename}"`,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
  };
  if (c.req.header('If-None-Match') === etag) return c.body(null, 304, headers);
  const range = rangeOf(c.req.header('Range'), c.req.header('If-Range'), etag, size);
  if (range === 'unsatisfiable') {
    return c.body(null, 416, { ...headers, 'Content-Range': `bytes */${String(size)}` });
  }
  const [start, end] = range ?? [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  headers['Content-Length'] = String(length);
  if (range !== undefined) headers['Content-Range'] = `bytes ${String(start)}-${String(end)}/${String(size)}`;
  const status = range === undefined ? 200 : 206;
  if (c.req.method === 'HEAD' || length === 0) return c.body(null, status, headers);
  const stream = createReadStream(path, { start, end, highWaterMark: 256 * 1024 });
  const raw = c.env.raw;
  if (raw === undefined) {
    stream.on('error', (error) => {
      options.logger?.warn({ err: error }, 'file download failed');
    });
    return c.body(Readable.toWeb(stream) as ReadableStream, status, headers);
  }
  // Straight from the file to the socket: a web stream in between halves the rate (BENCHMARKS.md). The
  // headers the application's middleware would add (Server, CORS) are written here, since it sees no response.
  raw.outgoing.writeHead(status, { ...options.responseHeaders, ...headers });
  pipeline(stream, raw.outgoing).catch((error: unknown) => {
    // A client that goes away mid-download is no failure of the server's.
    options.logger?.debug({ err: error }, 'file download ended early');
  });
  return RESPONSE_ALREADY_SENT;
}

/**
 * A single `bytes=` range (RFC 9110 §14.2), undefined for the whole file (no Range, several ranges, a
 * syntax the server may ignore, or an If-Range that no longer matches).
 */
function rangeOf(
  header: string | undefined,
  ifRange: string | undefined,
  etag: string,
  size: number,
): [number, number] | 'unsatisfiable' | undefined {
  if (header === undefined || (ifRange !== undefined && ifRange !== etag)) return undefined;
  const match = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(from);
  if (start >= size) return 'unsatisfiable';
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return end < start ? undefined : [start, end];
}

/** With downloads behind a token: the metadata names the two accounts; either one's token will do. */
async function checkDownloader(
  c: Context<WebEnv>,
  path: string,
  tokens: TokenCheck,
): Promise<Response | undefined> {
  const authorization = c.req.header('Authorization');
  if (authorization === undefined)
    return refuseUpload(
      c,
      401,
      'Unauthorized: send the API token of the sender or the receiver (Authorization: Apikey <token>)',
    );
  const accounts = await accountsOf(path);
  for (const account of accounts) {
    const verdict = await tokens.check(peerAddress(c), account, authorization);
    if (verdict.kind === 'allowed') return undefined;
    if (verdict.kind === 'limited') {
      c.header('Retry-After', String(verdict.retryAfterSeconds));
      return refuseUpload(c, 429, 'Too Many Requests');
    }
    if (verdict.kind === 'unavailable') return refuseUpload(c, 503, 'Service Unavailable');
  }
  return refuseUpload(c, 401, 'Unauthorized: not an API token of the sender or the receiver');
}

async function accountsOf(path: string): Promise<string[]> {
  const slash = path.lastIndexOf('/');
  const metadata = `${path.slice(0, slash + 1)}${METADATA_PREFIX}${path.slice(slash + 1)}`;
  try {
    const document = JSON.parse(await readFile(metadata, 'utf8')) as unknown;
    if (typeof document !== 'object' || document === null) return [];
    const accounts: string[] = [];
    for (const side of ['sender', 'receiver'] as const) {
      const party = (document as Record<string, unknown>)[side];
      const uri =
        typeof party === 'object' && party !== null ? (party as Record<string, unknown>).uri : undefined;
      const account = typeof uri === 'string' ? accountOfPath(uri) : undefined;
      if (account !== undefined) accounts.push(account);
    }
    return accounts;
  } catch {
    return [];
  }
}
