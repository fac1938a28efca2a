/** Strict UTF-8, as Python's bytes.decode('utf-8'): invalid sequences fail and a BOM is kept as U+FEFF. */
import { fail, ok, type Result } from './result.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): Result<string> {
  try {
    return ok(decoder.decode(bytes));
  } catch {
    return fail('invalid-utf8', 'body is not valid UTF-8');
  }
}
