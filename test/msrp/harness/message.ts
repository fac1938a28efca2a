// MSRP message values and builders for the tests. Builders write exactly the bytes they are given,
// in the order given, so tests control the wire format (RFC 4975 §8).
import { randomBytes } from 'node:crypto';
import type { Flag, MessageHead } from './frame-reader.js';

export type HeaderList = readonly (readonly [string, string])[];

export interface MsrpMessage extends MessageHead {
  /** The body bytes, or undefined when the message had no body section. */
  readonly body: Buffer | undefined;
  readonly flag: Flag;
  /** Every byte of the message, start line through end-line. */
  readonly bytes: Buffer;
}

/** Relay-generated transaction ids: 24 lower-case hex digits (relay spec §1.5). */
export const TID24 = /^[0-9a-f]{24}$/;

/** Joins lines with CRLF and terminates the last one, as every MSRP line ends with CRLF. */
export function lines(...parts: string[]): string {
  return parts.map((p) => `${p}\r\n`).join('');
}

/** A transaction id for client-side requests. */
export function newTid(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/** The value of the last header with this name (case-insensitive), or undefined. */
export function header(msg: { readonly headers: HeaderList }, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value: string | undefined;
  for (const [k, v] of msg.headers) if (k.toLowerCase() === lower) value = v;
  return value;
}

export interface RequestSpec {
  readonly tid: string;
  readonly method: string;
  readonly toPath: string;
  readonly fromPath: string;
  /** Headers written after From-Path, in this order (Content-Type included when there is a body). */
  readonly headers?: HeaderList;
  readonly body?: Buffer | string;
  readonly flag?: Flag;
}

/** Header block of a request, through the empty line when a body follows. */
export function requestHead(spec: RequestSpec): Buffer {
  const hdrs = [`To-Path: ${spec.toPath}`, `From-Path: ${spec.fromPath}`];
  for (const [k, v] of spec.headers ?? []) hdrs.push(`${k}: ${v}`);
  const text = lines(`MSRP ${spec.tid} ${spec.method}`, ...hdrs) + (spec.body === undefined ? '' : '\r\n');
  return Buffer.from(text, 'utf8');
}

/** The end-line; with a body it starts with the CRLF that closes the body. */
export function endLine(tid: string, flag: Flag, withBody: boolean): Buffer {
  return Buffer.from(`${withBody ? '\r\n' : ''}-------${tid}${flag}\r\n`, 'latin1');
}

export function request(spec: RequestSpec): Buffer {
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const parts = [requestHead(spec)];
  if (body) parts.push(body);
  parts.push(endLine(spec.tid, spec.flag ?? '$', body !== undefined));
  return Buffer.concat(parts);
}

export interface ResponseSpec {
  readonly tid: string;
  readonly status: number;
  readonly comment?: string;
  readonly toPath: string;
  readonly fromPath: string;
  readonly headers?: HeaderList;
}

export function response(spec: ResponseSpec): Buffer {
  const start = `MSRP ${spec.tid} ${spec.status}${spec.comment === undefined ? '' : ` ${spec.comment}`}`;
  const hdrs = [`To-Path: ${spec.toPath}`, `From-Path: ${spec.fromPath}`];
  for (const [k, v] of spec.headers ?? []) hdrs.push(`${k}: ${v}`);
  return Buffer.from(lines(start, ...hdrs, `-------${spec.tid}$`), 'utf8');
}

/** A response to a received request, addressed back along its From-Path (RFC 4975 §7.2). */
export function responseTo(
  req: { readonly tid: string; readonly headers: HeaderList },
  status: number,
  comment: string | undefined,
  ownUri: string,
): Buffer {
  return response({
    tid: req.tid,
    status,
    ...(comment === undefined ? {} : { comment }),
    toPath: header(req, 'From-Path') ?? '',
    fromPath: ownUri,
  });
}

/** Shows a message readably in assertion output. */
export function show(msg: { readonly bytes: Buffer } | Buffer): string {
  const b = Buffer.isBuffer(msg) ? msg : msg.bytes;
  const text =
    b.length > 2000 ? `${b.toString('latin1', 0, 2000)}…(${b.length} bytes)` : b.toString('latin1');
  return text.replace(/\r\n/g, '⏎\n');
}
