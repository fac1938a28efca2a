/**
 * The file-transfer routes of the web port (sylk spec §4.3): upload (file-upload.ts), download
 * (file-download.ts), cancel (sylk spec §4.3.6), every one with the CORS headers of sylk spec §4.6 and OPTIONS answered `200 OK`
 * for a browser's preflight. The upload's path names two AORs and the download's two hashes, so the two
 * never match the same request: a POST is an upload, a GET or HEAD a download.
 */
import type { Context, Hono } from 'hono';
import type { ActiveUploads } from './active-uploads.js';
import { download, type FileDownloadOptions } from './file-download.js';
import { FILE_TRANSFER_PATH, type FileUploadOptions, upload } from './file-upload.js';
import type { WebEnv } from './peer.js';

export type FileTransferRouteOptions = FileUploadOptions &
  Omit<FileDownloadOptions, 'files' | 'tokens' | 'responseHeaders'> & {
    /** The application's `Server` header, for downloads written to the socket directly. */
    readonly serverHeader: string;
  };

/** sylk spec §4.6; `authorization` too, so that a browser may send an API token. */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'content-type, authorization',
} as const;

export function addFileTransferRoutes(app: Hono<WebEnv>, options: FileTransferRouteOptions): void {
  app.use(`${FILE_TRANSFER_PATH}/*`, async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(CORS_HEADERS)) c.res.headers.set(name, value);
  });
  app.options(`${FILE_TRANSFER_PATH}/*`, (c) =>
    c.body('OK', 200, { 'Content-Type': 'text/plain; charset=utf-8' }),
  );
  const cancelPath = `${FILE_TRANSFER_PATH}/cancel/:transferId`;
  app.on(['GET', 'POST'], cancelPath, (c) => cancel(c, options.uploads));
  const path = `${FILE_TRANSFER_PATH}/:first/:second/:transferId/:filename`;
  app.post(path, (c) => upload(c, options));
  const responseHeaders = { Server: options.serverHeader, ...CORS_HEADERS };
  app.on(['GET', 'HEAD'], path, (c) => download(c, { ...options, responseHeaders }));
  app.all(`${FILE_TRANSFER_PATH}/*`, (c) =>
    c.body('Method Not Allowed', 405, { 'Content-Type': 'text/plain; charset=utf-8' }),
  );
}

/** sylk spec §4.3.6: 200 either way, the body says which; no authentication, as the reference. */
function cancel(c: Context<WebEnv>, uploads: ActiveUploads): Response {
  const transferId = c.req.param('transferId') ?? '';
  const body = uploads.cancel(transferId)
    ? `Cancelled upload ${transferId}\n`
    : `No active upload with transfer_id ${transferId}\n`;
  return c.body(body, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
}
