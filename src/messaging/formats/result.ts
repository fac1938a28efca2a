/**
 * How the format functions answer: a value or a typed error, never an exception. Messages come from the
 * network after the 200 OK has gone out, so a malformed one must be a value the caller can log and drop.
 */

export type FormatErrorCode =
  /** A header the message needs (Content-Type, From, To) is missing or malformed. */
  | 'missing-header'
  | 'empty-body'
  /** Bytes that are not UTF-8 where text is required. */
  | 'invalid-utf8'
  /** Content-Encoding: deflate, but neither a zlib nor a raw deflate stream. */
  | 'decompress-failed'
  /** Decompressed output (or an XML document) above the caller's limit. */
  | 'too-large'
  /** message/cpim without the blank line between CPIM headers and MIME part. */
  | 'malformed-cpim'
  | 'malformed-xml'
  | 'malformed-imdn'
  | 'malformed-ft-http'
  | 'malformed-file-transfer'
  /** The body of an application/sylk-api-* request. */
  | 'malformed-api-body'
  /** A value given to a builder that cannot be written (line break in a header, invalid XML character). */
  | 'invalid-value';

export interface FormatError {
  readonly code: FormatErrorCode;
  /** What was wrong, for logs; never contains the message body. */
  readonly reason: string;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: FormatError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: FormatErrorCode, reason: string): Result<T> {
  return { ok: false, error: { code, reason } };
}
