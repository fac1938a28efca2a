/** Builders for the bytes of MSRP messages the relay writes: responses, REPORTs and forwarded heads. */
import { equalsIgnoreCase, type Header, type MsrpHead, startsWithIgnoreCase } from './message.js';

export function endLine(tid: string, flag: string): string {
  return `-------${tid}${flag}\r\n`;
}

/** A complete body-less message. `headers` come after To-Path and From-Path, in order. */
export function bodilessMessage(
  startLine: string,
  toPath: string,
  fromPath: string,
  headers: readonly Header[],
  tid: string,
): Buffer {
  let text = `${startLine}\r\nTo-Path: ${toPath}\r\nFrom-Path: ${fromPath}\r\n`;
  for (const header of headers) text += `${header.name}: ${header.value}\r\n`;
  text += endLine(tid, '$');
  return Buffer.from(text, 'utf8');
}

export function response(
  request: { tid: string },
  code: number,
  comment: string,
  toPath: string,
  fromPath: string,
  headers: readonly Header[] = [],
): Buffer {
  return bodilessMessage(`MSRP ${request.tid} ${code} ${comment}`, toPath, fromPath, headers, request.tid);
}

const TO_PATH = 'To-Path';
const FROM_PATH = 'From-Path';
const CONTENT_TYPE = 'Content-Type';

function isContentHeader(name: string): boolean {
  return name.length > 8 && startsWithIgnoreCase(name, 'Content-');
}

/**
 * Headers of a forwarded message other than the paths, in msrprelay's order: the non-Content headers as
 * received, then the other Content-* headers, then Content-Type last (RFC 4975 wants it last before a body).
 */
export function passThroughHeaders(head: MsrpHead): Header[] {
  const plain: Header[] = [];
  const content: Header[] = [];
  let contentType: Header | undefined;
  for (const header of head.headers.entries) {
    const name = header.name;
    if (equalsIgnoreCase(name, TO_PATH) || equalsIgnoreCase(name, FROM_PATH)) continue;
    if (equalsIgnoreCase(name, CONTENT_TYPE)) contentType = header;
    else if (isContentHeader(name)) content.push(header);
    else plain.push(header);
  }
  if (contentType !== undefined) content.push(contentType);
  return plain.concat(content);
}

/**
 * Whether `passThroughHeaders(head)` is `head.headers.entries` after the first two (To-Path, then
 * From-Path, as they are sent by every client): no other path header, the non-Content headers before the
 * Content-* ones, one Content-Type and that one last. Then the received header lines can be forwarded as
 * they came (see MsrpHead.verbatimHeaders).
 */
export function inForwardingOrder(entries: readonly Header[]): boolean {
  if (entries[0]?.name !== TO_PATH || entries[1]?.name !== FROM_PATH) return false;
  const last = entries.length - 1;
  let content = false;
  for (let i = 2; i <= last; i++) {
    const name = entries[i]?.name ?? '';
    if (equalsIgnoreCase(name, TO_PATH) || equalsIgnoreCase(name, FROM_PATH)) return false;
    if (equalsIgnoreCase(name, CONTENT_TYPE)) {
      if (i !== last) return false;
    } else if (isContentHeader(name)) content = true;
    else if (content) return false;
  }
  return true;
}

/** Start line and headers of a forwarded request or response, with the empty line when a body follows. */
export function forwardedHead(
  startLine: string,
  toPath: string,
  fromPath: string,
  headers: readonly Header[],
  hasBody: boolean,
): string {
  let text = `${startLine}\r\nTo-Path: ${toPath}\r\nFrom-Path: ${fromPath}\r\n`;
  for (const header of headers) text += `${header.name}: ${header.value}\r\n`;
  if (hasBody) text += '\r\n';
  return text;
}

/** The bytes that close a message: the CRLF before the end-line belongs to the body section if there is one. */
export function closing(tid: string, flag: string, hasBody: boolean): string {
  return hasBody ? `\r\n${endLine(tid, flag)}` : endLine(tid, flag);
}
