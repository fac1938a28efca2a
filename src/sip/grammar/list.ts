/**
 * Splitting comma-separated header values (RFC 3261 §7.3.1). Commas inside quoted strings and inside
 * angle brackets are data, not separators. Elements are trimmed; empty elements are kept so that the
 * element parsers can refuse them (`Via: a,,b` is invalid, not two Vias).
 */
import { isWhitespace } from './chars.js';

const COMMA = 0x2c;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LAQUOT = 0x3c;
const RAQUOT = 0x3e;

/** Index of the first top-level comma at or after `start`, or `text.length`. */
function nextListSeparator(text: string, start: number): number {
  let quoted = false;
  let angle = false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (quoted) {
      if (code === BACKSLASH) i++;
      else if (code === DQUOTE) quoted = false;
    } else if (code === DQUOTE) quoted = true;
    else if (code === LAQUOT) angle = true;
    else if (code === RAQUOT) angle = false;
    else if (code === COMMA && !angle) return i;
  }
  return text.length;
}

function trim(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s < e && isWhitespace(text.charCodeAt(s))) s++;
  while (e > s && isWhitespace(text.charCodeAt(e - 1))) e--;
  return text.slice(s, e);
}

export function splitList(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    const comma = nextListSeparator(value, start);
    parts.push(trim(value, start, comma));
    if (comma >= value.length) return parts;
    start = comma + 1;
  }
}

/** The first element of a list, without splitting the rest. */
export function firstListElement(value: string): string {
  return trim(value, 0, nextListSeparator(value, 0));
}

/** The list without its first element (trimmed), or undefined when it had only one. */
export function restOfList(value: string): string | undefined {
  const comma = nextListSeparator(value, 0);
  return comma >= value.length ? undefined : trim(value, comma + 1, value.length);
}
