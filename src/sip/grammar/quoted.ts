/** quoted-string (RFC 3261 §25.1): scanning, unquoting and quoting with quoted-pair escapes. */

const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEEDS_ESCAPE = /["\\]/g;

/**
 * `text[start]` must be `"`. Returns the index just after the closing quote, or -1 when the string is not
 * terminated. Raw control characters other than HTAB are refused (they may only appear as quoted-pairs).
 */
export function scanQuotedString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === DQUOTE) return i + 1;
    if (code === BACKSLASH) {
      if (i + 1 >= text.length) return -1;
      i++;
    } else if ((code < 0x20 && code !== 0x09) || code === 0x7f) return -1;
  }
  return -1;
}

/** The content of a quoted-string (`raw` includes the quotes) with quoted-pairs resolved. */
export function unquote(raw: string): string {
  const inner = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!inner.includes('\\')) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner.charCodeAt(i) === BACKSLASH && i + 1 < inner.length) i++;
    out += inner.charAt(i);
  }
  return out;
}

/** A quoted-string whose content is `text`: `"` and `\` become quoted-pairs. */
export function quote(text: string): string {
  return `"${text.replace(NEEDS_ESCAPE, '\\$&')}"`;
}
