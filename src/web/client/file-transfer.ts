/**
 * Files and pictures in the chat (sylk spec §4.3): the upload a Sylk client makes (the file's bytes POSTed to
 * `/webrtcgateway/filetransfer/{sender}/{receiver}/{transfer_id}/{filename}`; missive then announces it to
 * both sides as an `application/sylk-file-transfer` message, so the page sends no message of its own), and
 * the announcement's JSON (sylk spec §4.3.3) read back for the view. No DOM here.
 */
export const FILE_TRANSFER_TYPE = 'application/sylk-file-transfer';
const FILE_TRANSFER_PATH = '/webrtcgateway/filetransfer/';
/** Longer than any announcement missive writes: a larger content is not parsed at all. */
const MAX_ANNOUNCEMENT = 16 * 1024;

export interface FileTransfer {
  readonly filename: string;
  /** Bytes; 0 when the announcement does not say. */
  readonly filesize: number;
  readonly filetype: string;
  /** Where missive serves it, as a path on this origin; undefined while uploading or when served elsewhere. */
  readonly path: string | undefined;
}

/** The announcement's JSON (a string in the journal, sylk spec §4.3.3); undefined when it is not one. */
export function parseFileTransfer(content: string): FileTransfer | undefined {
  if (content.length > MAX_ANNOUNCEMENT) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  if (typeof fields.filename !== 'string' || fields.filename === '') return undefined;
  const size = fields.filesize;
  return {
    filename: fields.filename,
    filesize: typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : 0,
    filetype: typeof fields.filetype === 'string' ? fields.filetype : '',
    path: typeof fields.url === 'string' ? servedPath(fields.url) : undefined,
  };
}

/**
 * The announced URL names missive's public URL, which may not be the address this page was loaded from (a
 * proxy, `localhost` against `127.0.0.1`): the file is fetched from this origin by its path, so that
 * `img-src 'self'` allows the preview and nothing is loaded from anywhere else.
 */
function servedPath(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.pathname.startsWith(FILE_TRANSFER_PATH) ? parsed.pathname : undefined;
}

/** What the page shows for a file before the server has announced it (no URL yet). */
export function pendingTransfer(file: File): string {
  return JSON.stringify({ filename: file.name, filesize: file.size, filetype: file.type });
}

/** Types the download route serves inline (sylk spec §4.3.5) and a browser shows as a picture. */
export function isPicture(transfer: FileTransfer): boolean {
  return transfer.path !== undefined && /\.(png|jpe?g|gif)$/i.test(transfer.path);
}

export type UploadResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * The upload (sylk spec §4.3.2): allowed because this page's account is registered on its sylkRTC connection
 * (docs/file-transfer.md, "Authentication"); `fetch` sends the `Content-Length` a Blob body has.
 */
export async function uploadFile(
  account: string,
  contact: string,
  transferId: string,
  file: File,
): Promise<UploadResult> {
  const path = [account, contact, transferId, file.name].map(encodeURIComponent).join('/');
  try {
    const response = await fetch(`${FILE_TRANSFER_PATH}${path}`, {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': file.type === '' ? 'application/octet-stream' : file.type },
    });
    if (response.ok) return { ok: true };
    return { ok: false, error: `${String(response.status)} ${response.statusText}`.trim() };
  } catch {
    return { ok: false, error: 'The server cannot be reached' };
  }
}

/** 1,234 bytes → "1.2 KB" (decimal units, as file managers show them). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${String(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? 'TB'}`;
}
