/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 keeps a substring as a view
 * of its parent, so a header value kept for a session's lifetime (a path, a nonce) would otherwise keep
 * the whole message it came in alive.
 */
export function detachedCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
