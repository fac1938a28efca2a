/**
 * Header parameters: `*( SEMI generic-param )` with generic-param = token [ EQUAL gen-value ] and
 * gen-value = token / host / quoted-string (RFC 3261 §25.1). Whitespace is allowed around ";" and "=".
 * Names are case-insensitive and stored lower-cased; values are kept as written (quoted strings keep their
 * quotes, see `paramText`), so formatting gives back an equivalent header. A name without a value maps to
 * null. The first occurrence of a repeated name wins.
 */
import { charTable, scanToken, skipWhitespace } from './chars.js';
import { scanQuotedString, unquote } from './quoted.js';

export type Params = ReadonlyMap<string, string | null>;

export const NO_PARAMS: Params = new Map();

const SEMI = 0x3b;
const EQUAL = 0x3d;
const DQUOTE = 0x22;
const LBRACKET = 0x5b;

/** Unquoted values: token characters, plus ":" so that IPv6 `received` values (RFC 5118) are accepted. */
const VALUE = charTable("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~:");

function scanValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === DQUOTE) return scanQuotedString(text, start);
  if (first === LBRACKET) {
    const close = text.indexOf(']', start);
    if (close === -1) return -1;
    for (let i = start + 1; i < close; i++) {
      const code = text.charCodeAt(i);
      if (!(code < 128 && VALUE[code] === 1) && code !== 0x2e) return -1;
    }
    return close + 1;
  }
  let i = start;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code >= 128 || VALUE[code] !== 1) break;
    i++;
  }
  return i === start ? -1 : i;
}

/**
 * Reads parameters starting at `start` into `into`. Returns the index of the first character that is neither
 * whitespace nor part of a parameter (the caller decides whether that is the end, a comma, ...), or -1 when a
 * `;` is not followed by a valid parameter.
 */
export function scanParams(text: string, start: number, into: Map<string, string | null>): number {
  let i = skipWhitespace(text, start);
  while (text.charCodeAt(i) === SEMI) {
    const nameStart = skipWhitespace(text, i + 1);
    const nameEnd = scanToken(text, nameStart);
    if (nameEnd === nameStart) return -1;
    const name = text.slice(nameStart, nameEnd).toLowerCase();
    i = skipWhitespace(text, nameEnd);
    let value: string | null = null;
    if (text.charCodeAt(i) === EQUAL) {
      const valueStart = skipWhitespace(text, i + 1);
      const valueEnd = scanValue(text, valueStart);
      if (valueEnd === -1) return -1;
      value = text.slice(valueStart, valueEnd);
      i = skipWhitespace(text, valueEnd);
    }
    if (!into.has(name)) into.set(name, value);
  }
  return i;
}

/** Parses a string that holds nothing but parameters (`;a=1;b`); undefined when malformed. */
export function parseParams(text: string): Map<string, string | null> | undefined {
  const params = new Map<string, string | null>();
  const end = scanParams(text, 0, params);
  return end === text.length ? params : undefined;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** A parameter value as text: quoted strings are unquoted, null (no value) becomes undefined. */
export function paramText(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value.charCodeAt(0) === DQUOTE ? unquote(value) : value;
}
