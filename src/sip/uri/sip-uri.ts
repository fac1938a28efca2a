/**
 * SIP and SIPS URIs (RFC 3261 §19.1). A parsed URI keeps the text it was parsed from and gives it back
 * verbatim; a URI built with `SipUri.from` or changed with `with` is formatted from its parts. Components
 * are kept escaped, as written: `user` of `sip:%75ser@h` is `%75ser` (see `unescapeText` to display it and
 * `uriEquals` to compare).
 */
import { charTable, scanUriChars } from '../grammar/chars.js';
import { formatHostPort, scanHostPort } from '../grammar/host.js';

export type SipScheme = 'sip' | 'sips';
/** URI parameters by lower-cased name; null for a parameter without a value (`;lr`). */
export type UriParams = ReadonlyMap<string, string | null>;
/** URI headers (`?name=value&...`) in order, escaped as written. */
export type UriHeaders = readonly (readonly [name: string, value: string])[];

export interface SipUriParts {
  readonly scheme: SipScheme;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly host: string;
  readonly port?: number | undefined;
  readonly params?: UriParams | undefined;
  readonly headers?: UriHeaders | undefined;
}

// The characters each component allows besides unreserved and escaped (RFC 3261 §25.1).
const USER = charTable('&=+$,;?/');
const PASSWORD = charTable('&=+$,');
const PARAM = charTable('[]/:&+$');
const HEADER = charTable('[]/?:+$');

const NO_PARAMS: UriParams = new Map();
const NO_HEADERS: UriHeaders = [];

export class SipUri {
  readonly scheme: SipScheme;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Without IPv6 brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: UriParams;
  readonly headers: UriHeaders;
  readonly #text: string | undefined;

  private constructor(parts: SipUriParts, text: string | undefined) {
    this.scheme = parts.scheme;
    this.user = parts.user;
    this.password = parts.password;
    this.host = parts.host;
    this.port = parts.port;
    this.params = parts.params ?? NO_PARAMS;
    this.headers = parts.headers ?? NO_HEADERS;
    this.#text = text;
  }

  static from(parts: SipUriParts): SipUri {
    return new SipUri(parts, undefined);
  }

  /** Parses a `sip:` or `sips:` URI; undefined when it is not one or is malformed. */
  static parse(text: string): SipUri | undefined {
    const scheme = sipSchemeOf(text);
    if (scheme === undefined) return undefined;
    const start = scheme.length + 1;
    let user: string | undefined;
    let password: string | undefined;
    let hostStart = start;
    const at = text.indexOf('@', start);
    if (at !== -1) {
      const passwordColon = text.indexOf(':', start);
      const userEnd = passwordColon !== -1 && passwordColon < at ? passwordColon : at;
      if (userEnd === start || scanUriChars(text, start, USER) !== userEnd) return undefined;
      user = text.slice(start, userEnd);
      if (userEnd < at) {
        if (scanUriChars(text, userEnd + 1, PASSWORD) !== at) return undefined;
        password = text.slice(userEnd + 1, at);
      }
      hostStart = at + 1;
    }
    const hostPort = scanHostPort(text, hostStart);
    if (hostPort === undefined) return undefined;
    let i = hostPort.end;
    let params: Map<string, string | null> | undefined;
    while (text.charCodeAt(i) === 0x3b) {
      const nameEnd = scanUriChars(text, i + 1, PARAM);
      if (nameEnd <= i + 1) return undefined;
      const name = text.slice(i + 1, nameEnd).toLowerCase();
      let value: string | null = null;
      i = nameEnd;
      if (text.charCodeAt(i) === 0x3d) {
        const valueEnd = scanUriChars(text, i + 1, PARAM);
        if (valueEnd <= i + 1) return undefined;
        value = text.slice(i + 1, valueEnd);
        i = valueEnd;
      }
      params ??= new Map();
      if (!params.has(name)) params.set(name, value);
    }
    let headers: [string, string][] | undefined;
    if (text.charCodeAt(i) === 0x3f) {
      headers = [];
      do {
        const nameEnd = scanUriChars(text, i + 1, HEADER);
        if (nameEnd <= i + 1 || text.charCodeAt(nameEnd) !== 0x3d) return undefined;
        const valueEnd = scanUriChars(text, nameEnd + 1, HEADER);
        if (valueEnd === -1) return undefined;
        headers.push([text.slice(i + 1, nameEnd), text.slice(nameEnd + 1, valueEnd)]);
        i = valueEnd;
      } while (text.charCodeAt(i) === 0x26);
    }
    if (i !== text.length) return undefined;
    const parts = { scheme, user, password, host: hostPort.host, port: hostPort.port, params, headers };
    return new SipUri(parts, text);
  }

  /** A copy with some parts replaced; it is formatted from its parts from then on. */
  with(changes: Partial<SipUriParts>): SipUri {
    return new SipUri({ ...this.parts(), ...changes }, undefined);
  }

  parts(): SipUriParts {
    const { scheme, user, password, host, port, params, headers } = this;
    return { scheme, user, password, host, port, params, headers };
  }

  /** The value of a parameter: a string, null when present without a value, undefined when absent. */
  param(name: string): string | null | undefined {
    return this.params.get(name.toLowerCase());
  }

  hasParam(name: string): boolean {
    return this.params.has(name.toLowerCase());
  }

  /** The transport parameter, lower-cased. */
  get transport(): string | undefined {
    return this.params.get('transport')?.toLowerCase();
  }

  get secure(): boolean {
    return this.scheme === 'sips';
  }

  /** True when the URI was parsed and has not been changed: toString() gives back the received text. */
  get verbatim(): boolean {
    return this.#text !== undefined;
  }

  toString(): string {
    return this.#text ?? formatSipUri(this);
  }
}

/** "sip" or "sips" when `text` starts with it and a colon (in any case), without allocating. */
export function sipSchemeOf(text: string): SipScheme | undefined {
  if (
    (text.charCodeAt(0) | 0x20) !== 0x73 ||
    (text.charCodeAt(1) | 0x20) !== 0x69 ||
    (text.charCodeAt(2) | 0x20) !== 0x70
  ) {
    return undefined;
  }
  const fourth = text.charCodeAt(3);
  if (fourth === 0x3a) return 'sip';
  return (fourth | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a ? 'sips' : undefined;
}

export function formatSipUri(uri: SipUriParts): string {
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += uri.user;
    if (uri.password !== undefined) out += `:${uri.password}`;
    out += '@';
  }
  out += formatHostPort(uri.host, uri.port);
  for (const [name, value] of uri.params ?? NO_PARAMS)
    out += value === null ? `;${name}` : `;${name}=${value}`;
  const headers = uri.headers ?? NO_HEADERS;
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i];
    if (header !== undefined) out += `${i === 0 ? '?' : '&'}${header[0]}=${header[1]}`;
  }
  return out;
}
