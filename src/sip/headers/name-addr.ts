/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1): the shape of From,
 * To, Contact, Route, Record-Route, Path and friends. In the addr-spec form (no angle brackets) the URI ends
 * at the first ";" and what follows are header parameters, not URI parameters (RFC 3261 §20).
 */
import { scanToken, skipWhitespace, isWhitespace } from '../grammar/chars.js';
import { splitList } from '../grammar/list.js';
import { formatParams, NO_PARAMS, type Params, paramText, scanParams } from '../grammar/params.js';
import { quote, scanQuotedString, unquote } from '../grammar/quoted.js';
import { parseUri, type Uri } from '../uri.js';
import type { SipHeaders } from './header-list.js';

export interface NameAddr {
  /** Unquoted and unescaped; undefined when there is none. */
  readonly displayName: string | undefined;
  readonly uri: Uri;
  /** Header parameters (tag, expires, q, ...) by lower-cased name; quoted values keep their quotes. */
  readonly params: Params;
  readonly tag: string | undefined;
}

const DQUOTE = 0x22;
const LAQUOT = 0x3c;

/** One name-addr or addr-spec with its parameters; undefined when malformed. */
export function parseNameAddr(text: string): NameAddr | undefined {
  let i = skipWhitespace(text, 0);
  let displayName: string | undefined;
  if (text.charCodeAt(i) === DQUOTE) {
    const end = scanQuotedString(text, i);
    if (end === -1) return undefined;
    displayName = unquote(text.slice(i, end));
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) !== LAQUOT) return undefined;
  } else {
    // display-name as *(token LWS); RFC 4475 §3.1.1.6: LWS before "<" may be missing.
    let j = i;
    let wordsEnd = i;
    for (;;) {
      const end = scanToken(text, j);
      if (end === j) break;
      wordsEnd = end;
      j = skipWhitespace(text, end);
    }
    if (text.charCodeAt(j) === LAQUOT) {
      if (wordsEnd > i) displayName = text.slice(i, wordsEnd);
      i = j;
    }
  }
  let uriText: string;
  let paramsStart: number;
  if (text.charCodeAt(i) === LAQUOT) {
    const close = text.indexOf('>', i + 1);
    if (close === -1) return undefined;
    uriText = text.slice(i + 1, close);
    // LAQUOT and RAQUOT take no whitespace inside (RFC 4475 §3.1.2.14).
    if (
      uriText.length === 0 ||
      isWhitespace(uriText.charCodeAt(0)) ||
      isWhitespace(uriText.charCodeAt(uriText.length - 1))
    ) {
      return undefined;
    }
    paramsStart = close + 1;
  } else {
    let end = i;
    while (end < text.length && text.charCodeAt(end) !== 0x3b && !isWhitespace(text.charCodeAt(end))) end++;
    uriText = text.slice(i, end);
    // A URI with "?", ";" or "," must be in angle brackets (RFC 3261 §20); headers (?) would be ambiguous
    // here.
    if (uriText.includes('?')) return undefined;
    paramsStart = end;
  }
  const uri = parseUri(uriText);
  if (uri === undefined) return undefined;
  if (skipWhitespace(text, paramsStart) === text.length)
    return { displayName, uri, params: NO_PARAMS, tag: undefined };
  const params = new Map<string, string | null>();
  if (scanParams(text, paramsStart, params) !== text.length) return undefined;
  return { displayName, uri, params, tag: paramText(params.get('tag')) };
}

/** A comma-separated list of name-addrs (Contact, Route, Record-Route, Path); undefined when any is malformed. */
export function parseNameAddrList(value: string): NameAddr[] | undefined {
  const list: NameAddr[] = [];
  for (const element of splitList(value)) {
    const nameAddr = parseNameAddr(element);
    if (nameAddr === undefined) return undefined;
    list.push(nameAddr);
  }
  return list;
}

/** Always the name-addr form, which is unambiguous whatever the URI holds. */
export function formatNameAddr(value: Pick<NameAddr, 'displayName' | 'uri' | 'params'>): string {
  const name = value.displayName === undefined ? '' : `${quote(value.displayName)} `;
  return `${name}<${value.uri.toString()}>${formatParams(value.params)}`;
}

export function getFrom(headers: SipHeaders): NameAddr | undefined {
  return headers.decodeFirst('From', parseNameAddr);
}

export function getTo(headers: SipHeaders): NameAddr | undefined {
  return headers.decodeFirst('To', parseNameAddr);
}

/** Every value of a name-addr list header, in order; undefined when any is malformed. */
export function getNameAddrs(
  headers: SipHeaders,
  name: 'Route' | 'Record-Route' | 'Path' | 'Service-Route',
): NameAddr[] | undefined {
  const all: NameAddr[] = [];
  for (const list of headers.decodeEach(name, parseNameAddrList)) {
    if (list === undefined) return undefined;
    all.push(...list);
  }
  return all;
}
