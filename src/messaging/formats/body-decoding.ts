/**
 * A MESSAGE body as text (sylk spec §2.2): UTF-8 as is; otherwise, when Content-Encoding says deflate, inflated
 * (a zlib stream as Python's zlib.decompress reads it, or a raw deflate stream as a fallback) and then
 * decoded as UTF-8 — the reference forgets that last step (sylk spec §8.11). Inflation stops at the caller's limit,
 * so a small body cannot expand into gigabytes.
 */
import { inflateRawSync, inflateSync } from 'node:zlib';
import { fail, ok, type Result } from './result.js';
import { decodeUtf8 } from './utf8.js';

export interface BodyDecodingOptions {
  /** Value of the Content-Encoding header, if any. */
  readonly contentEncoding?: string | undefined;
  /** Largest inflated size accepted, in bytes. */
  readonly maxDecompressedBytes: number;
}

export interface DecodedBody {
  readonly text: string;
  readonly inflated: boolean;
}

/** True when the Content-Encoding header names deflate (the only coding the reference knows). */
export function isDeflate(contentEncoding: string | undefined): boolean {
  return contentEncoding !== undefined && contentEncoding.trim().toLowerCase() === 'deflate';
}

type Inflated = { readonly kind: 'ok'; readonly bytes: Buffer } | { readonly kind: 'too-large' | 'failed' };

function tryInflate(inflate: typeof inflateSync, body: Buffer, limit: number): Inflated {
  try {
    return { kind: 'ok', bytes: inflate(body, { maxOutputLength: Math.max(1, limit) }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { kind: code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'failed' };
  }
}

/** Inflates a zlib stream, else a raw deflate stream, within `limit` bytes. */
export function inflateBody(body: Buffer, limit: number): Result<Buffer> {
  const zlib = tryInflate(inflateSync, body, limit);
  const result = zlib.kind === 'failed' ? tryInflate(inflateRawSync, body, limit) : zlib;
  switch (result.kind) {
    case 'failed':
      return fail('decompress-failed', 'body is neither a zlib nor a deflate stream');
    case 'too-large':
      return fail('too-large', `inflated body exceeds ${limit} bytes`);
    case 'ok':
      // maxOutputLength is at least 1: a limit of 0 is enforced here.
      return result.bytes.length > limit
        ? fail('too-large', `inflated body exceeds ${limit} bytes`)
        : ok(result.bytes);
  }
}

export function decodeBody(body: Buffer, options: BodyDecodingOptions): Result<DecodedBody> {
  const text = decodeUtf8(body);
  if (text.ok) return ok({ text: text.value, inflated: false });
  if (!isDeflate(options.contentEncoding)) return text;
  const inflated = inflateBody(body, options.maxDecompressedBytes);
  if (!inflated.ok) return inflated;
  const decoded = decodeUtf8(inflated.value);
  return decoded.ok ? ok({ text: decoded.value, inflated: true }) : decoded;
}
