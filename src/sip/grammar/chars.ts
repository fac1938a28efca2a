/**
 * Character classes of RFC 3261 §25.1 as lookup tables, and the small scanners built on them. Every scanner
 * takes a start index and returns the index of the first character it did not accept, so callers walk a
 * header value once without slicing or compiling regular expressions per message.
 */

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A lookup table with a 1 for each character of `chars` (ASCII only). */
export function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const TOKEN = charTable(`${ALPHANUM}-.!%*_+\`'~`);
/** word: token characters plus the separators Call-ID allows. */
const WORD = charTable(`${ALPHANUM}-.!%*_+\`'~()<>:\\"/[]?{}`);
/** unreserved = alphanum / mark */
const UNRESERVED = charTable(`${ALPHANUM}-_.!~*'()`);
/** hostname and IPv4address characters. */
const HOST = charTable(`${ALPHANUM}-.`);
const HEX = charTable('0123456789abcdefABCDEF');

export const SP = 0x20;
export const HTAB = 0x09;

function inTable(table: Uint8Array, code: number): boolean {
  return code < 128 && table[code] === 1;
}

export function isHostChar(code: number): boolean {
  return inTable(HOST, code);
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isWhitespace(code: number): boolean {
  return code === SP || code === HTAB;
}

/** Index of the first non-SP/HTAB character at or after `start` (values are unfolded, so LWS is SP/HTAB). */
export function skipWhitespace(text: string, start: number): number {
  let i = start;
  while (isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

export function scanToken(text: string, start: number): number {
  let i = start;
  while (inTable(TOKEN, text.charCodeAt(i))) i++;
  return i;
}

export function scanWord(text: string, start: number): number {
  let i = start;
  while (inTable(WORD, text.charCodeAt(i))) i++;
  return i;
}

export function scanDigits(text: string, start: number): number {
  let i = start;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

export function isToken(text: string): boolean {
  return text.length > 0 && scanToken(text, 0) === text.length;
}

/** escaped = "%" HEXDIG HEXDIG */
export function isEscapedAt(text: string, i: number): boolean {
  return (
    text.charCodeAt(i) === 0x25 &&
    inTable(HEX, text.charCodeAt(i + 1)) &&
    inTable(HEX, text.charCodeAt(i + 2))
  );
}

/**
 * Scans a run of characters that are unreserved, escaped, non-ASCII-free and in `extra` (a table of the
 * production's additional characters). Returns the end index, or -1 on a malformed escape.
 */
export function scanUriChars(text: string, start: number, extra: Uint8Array): number {
  let i = start;
  for (;;) {
    const code = text.charCodeAt(i);
    if (inTable(UNRESERVED, code) || inTable(extra, code)) i++;
    else if (code === 0x25) {
      if (!isEscapedAt(text, i)) return -1;
      i += 3;
    } else return i;
  }
}
