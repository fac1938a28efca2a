/**
 * RCS file transfer over HTTP (GSMA RCC.07, application/vnd.gsma.rcs-ft-http+xml), as python3-sipsimple's
 * rcsfthttp payload models it (sylk spec §2.8.3): a `file` root with `file-info` children, each with its size,
 * name, content type, download URL and expiry, optionally a branded URL and a hash (extension namespace).
 */
import { fail, ok, type Result } from './result.js';
import { escapeXmlAttribute, escapeXmlText, isXmlText } from './xml-escape.js';
import { childNamed, childrenNamed, parseXml, type XmlElement, type XmlLimits } from './xml-parse.js';

export const FT_HTTP_CONTENT_TYPE = 'application/vnd.gsma.rcs-ft-http+xml';
export const FT_HTTP_NAMESPACE = 'urn:gsma:params:xml:ns:rcs:rcs:fthttp';
export const FT_HTTP_EXT_NAMESPACE = 'urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext';

export interface FtHttpFileInfo {
  readonly type: 'file' | 'thumbnail';
  readonly fileDisposition: string | undefined;
  readonly fileSize: number;
  /** Optional in the schema; a `file` without one cannot become a file-transfer message. */
  readonly fileName: string | undefined;
  readonly contentType: string;
  readonly url: string;
  /** The data element's until attribute, as written. */
  readonly until: string | undefined;
  readonly brandedUrl: string | undefined;
  /** x:file-hash, e.g. `sha-1:AB:CD:…`. */
  readonly hash: string | undefined;
}

export interface FtHttpDocument {
  readonly files: readonly FtHttpFileInfo[];
}

function malformed(reason: string): Result<never> {
  return fail('malformed-ft-http', reason);
}

function text(info: XmlElement, namespace: string, name: string): string | undefined {
  return childNamed(info, namespace, name)?.text.trim();
}

function fileInfo(info: XmlElement): Result<FtHttpFileInfo> {
  const type = info.attributes.get('type');
  if (type !== 'file' && type !== 'thumbnail') return malformed('file-info type must be file or thumbnail');
  const size = text(info, FT_HTTP_NAMESPACE, 'file-size');
  if (size === undefined || !/^\+?\d{1,15}$/.test(size))
    return malformed('file-size must be a non-negative integer');
  const contentType = text(info, FT_HTTP_NAMESPACE, 'content-type');
  if (contentType === undefined || contentType === '') return malformed('file-info without content-type');
  const data = childNamed(info, FT_HTTP_NAMESPACE, 'data');
  const url = data?.attributes.get('url')?.trim();
  if (url === undefined || url === '') return malformed('file-info without data url');
  return ok({
    type,
    fileDisposition: info.attributes.get('file-disposition') ?? info.attributes.get('file_disposition'),
    fileSize: Number(size),
    fileName: text(info, FT_HTTP_NAMESPACE, 'file-name'),
    contentType,
    url,
    until: data?.attributes.get('until')?.trim(),
    brandedUrl: text(info, FT_HTTP_EXT_NAMESPACE, 'branded-url'),
    hash: text(info, FT_HTTP_EXT_NAMESPACE, 'file-hash'),
  });
}

export function parseFtHttp(body: Buffer | string, limits?: XmlLimits): Result<FtHttpDocument> {
  const xml = parseXml(body, limits);
  if (!xml.ok) return xml.error.code === 'too-large' ? xml : malformed(`invalid XML: ${xml.error.reason}`);
  const root = xml.value;
  if (root.namespace !== FT_HTTP_NAMESPACE || root.name !== 'file')
    return malformed('root element is not file');
  const files: FtHttpFileInfo[] = [];
  for (const element of childrenNamed(root, FT_HTTP_NAMESPACE, 'file-info')) {
    const info = fileInfo(element);
    if (!info.ok) return info;
    files.push(info.value);
  }
  return ok({ files });
}

export type FtHttpFileInit = Omit<FtHttpFileInfo, 'fileDisposition' | 'brandedUrl' | 'until' | 'hash'> &
  Partial<Pick<FtHttpFileInfo, 'fileDisposition' | 'brandedUrl' | 'until' | 'hash'>>;

function element(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXmlText(value)}</${name}>`;
}

function fileInfoXml(file: FtHttpFileInit): string {
  const disposition =
    file.fileDisposition === undefined
      ? ''
      : ` file-disposition="${escapeXmlAttribute(file.fileDisposition)}"`;
  const until = file.until === undefined ? '' : ` until="${escapeXmlAttribute(file.until)}"`;
  return (
    `<file-info type="${file.type}"${disposition}>` +
    element('file-size', String(file.fileSize)) +
    element('file-name', file.fileName) +
    element('content-type', file.contentType) +
    `<data url="${escapeXmlAttribute(file.url)}"${until}/>` +
    element('x:branded-url', file.brandedUrl) +
    element('x:file-hash', file.hash) +
    '</file-info>'
  );
}

/** The document SylkServer sends for an uploaded file (sylk spec §2.7 rows F, G), one file-info per file. */
export function buildFtHttp(files: readonly FtHttpFileInit[]): Result<Buffer> {
  for (const file of files) {
    if (!Number.isSafeInteger(file.fileSize) || file.fileSize < 0)
      return fail('invalid-value', 'invalid file size');
    const values = [
      file.fileName,
      file.contentType,
      file.url,
      file.until,
      file.brandedUrl,
      file.hash,
      file.fileDisposition,
    ];
    for (const value of values) {
      if (value !== undefined && (!isXmlText(value) || value.trim() !== value || value === '')) {
        return fail(
          'invalid-value',
          'FT-HTTP value is empty, has surrounding whitespace or a character XML forbids',
        );
      }
    }
  }
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<file xmlns="${FT_HTTP_NAMESPACE}" xmlns:x="${FT_HTTP_EXT_NAMESPACE}">` +
    files.map(fileInfoXml).join('') +
    '</file>';
  return ok(Buffer.from(xml, 'utf8'));
}
