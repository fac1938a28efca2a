/**
 * Via (RFC 3261 §20.42, §25.1; RFC 3581 rport): `SIP / 2.0 / UDP host:port ;params`. Whitespace is allowed
 * around "/" and ":" and before the sent-by, as the grammar's SLASH, COLON and LWS allow.
 */
import { isDigit, isToken, scanToken, skipWhitespace } from '../grammar/chars.js';
import { formatHostPort, scanHost, scanPort } from '../grammar/host.js';
import { firstListElement, restOfList, splitList } from '../grammar/list.js';
import { formatParams, type Params, scanParams } from '../grammar/params.js';
import type { SipHeaders } from './header-list.js';

export interface Via {
  /** Upper-cased, normally "SIP". */
  readonly protocol: string;
  /** Normally "2.0". */
  readonly version: string;
  /** Upper-cased: UDP, TCP, TLS, SCTP, WS, WSS or an extension. */
  readonly transport: string;
  /** sent-by host, without IPv6 brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Params;
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** RFC 3581: undefined when absent, null when present without a value. */
  readonly rport: number | null | undefined;
  readonly maddr: string | undefined;
  readonly ttl: number | undefined;
}

export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const SLASH = 0x2f;
const COLON = 0x3a;

function expectSlash(text: string, i: number): number {
  const j = skipWhitespace(text, i);
  return text.charCodeAt(j) === SLASH ? skipWhitespace(text, j + 1) : -1;
}

function scanTokenAt(text: string, i: number): number {
  return i === -1 ? -1 : scanToken(text, i);
}

function digitsValue(value: string | null | undefined, max: number): number | undefined {
  if (value === null || value === undefined || value.length === 0 || value.length > 10) return undefined;
  for (let i = 0; i < value.length; i++) if (!isDigit(value.charCodeAt(i))) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
}

/** One via-parm; undefined when malformed. */
export function parseVia(text: string): Via | undefined {
  const protocolStart = skipWhitespace(text, 0);
  const protocolEnd = scanToken(text, protocolStart);
  const versionStart = protocolEnd === protocolStart ? -1 : expectSlash(text, protocolEnd);
  const versionEnd = scanTokenAt(text, versionStart);
  const transportStart = versionEnd <= versionStart ? -1 : expectSlash(text, versionEnd);
  const transportEnd = scanTokenAt(text, transportStart);
  if (transportEnd <= transportStart) return undefined;
  const hostStart = skipWhitespace(text, transportEnd);
  if (hostStart === transportEnd) return undefined; // LWS is required before sent-by
  const host = scanHost(text, hostStart);
  if (host === undefined) return undefined;
  let i = skipWhitespace(text, host.end);
  let port: number | undefined;
  if (text.charCodeAt(i) === COLON) {
    const scanned = scanPort(text, skipWhitespace(text, i + 1));
    if (scanned === undefined) return undefined;
    port = scanned.port;
    i = scanned.end;
  }
  const params = new Map<string, string | null>();
  if (scanParams(text, i, params) !== text.length) return undefined;
  return viaFromParts(
    text.slice(protocolStart, protocolEnd).toUpperCase(),
    text.slice(versionStart, versionEnd),
    text.slice(transportStart, transportEnd).toUpperCase(),
    host.host,
    port,
    params,
  );
}

function viaFromParts(
  protocol: string,
  version: string,
  transport: string,
  host: string,
  port: number | undefined,
  params: Params,
): Via | undefined {
  const branch = params.get('branch');
  if (branch === null || (branch !== undefined && !isToken(branch))) return undefined;
  const received = params.get('received');
  if (received === null) return undefined;
  const rportText = params.get('rport');
  const rport = rportText === null || rportText === undefined ? rportText : digitsValue(rportText, 65535);
  if (rport === undefined && rportText !== undefined) return undefined;
  const ttlText = params.get('ttl');
  const ttl = digitsValue(ttlText, 255);
  if (ttl === undefined && ttlText !== undefined) return undefined;
  const maddr = params.get('maddr');
  if (maddr === null) return undefined;
  return { protocol, version, transport, host, port, params, branch, received, rport, maddr, ttl };
}

/** A Via field value: one or more comma-separated via-parms; undefined when any is malformed. */
export function parseViaList(value: string): Via[] | undefined {
  const vias: Via[] = [];
  for (const element of splitList(value)) {
    const via = parseVia(element);
    if (via === undefined) return undefined;
    vias.push(via);
  }
  return vias;
}

export interface ViaInit {
  readonly transport: string;
  readonly host: string;
  readonly port?: number | undefined;
  readonly branch: string;
  /** Ask for RFC 3581 symmetric response routing (`;rport`). */
  readonly rport?: boolean | undefined;
  /** Further parameters, after branch and rport. */
  readonly params?: Params | undefined;
}

/** A Via value for a request this element sends. */
export function createVia(init: ViaInit): string {
  const params = new Map<string, string | null>([['branch', init.branch]]);
  if (init.rport === true) params.set('rport', null);
  for (const [name, value] of init.params ?? []) if (!params.has(name)) params.set(name, value);
  return formatVia({
    protocol: 'SIP',
    version: '2.0',
    transport: init.transport,
    host: init.host,
    port: init.port,
    params,
  });
}

export function formatVia(
  via: Pick<Via, 'protocol' | 'version' | 'transport' | 'host' | 'port' | 'params'>,
): string {
  return `${via.protocol}/${via.version}/${via.transport.toUpperCase()} ${formatHostPort(via.host, via.port)}${formatParams(via.params)}`;
}

/** Whether a branch is an RFC 3261 transaction id (RFC 3261 §8.1.1.7) rather than an RFC 2543 one. */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return (
    branch !== undefined &&
    branch.length > BRANCH_MAGIC_COOKIE.length &&
    branch.startsWith(BRANCH_MAGIC_COOKIE)
  );
}

const decodeTopVia = (value: string): Via | undefined =>
  parseVia(value.includes(',') ? firstListElement(value) : value);

/**
 * Replaces the topmost Via value (only that value when a field holds several) with `via` written out; `via`
 * is remembered as its decoding, as the parse of what is written gives the same Via.
 */
export function replaceTopVia(headers: SipHeaders, via: Via): void {
  const text = formatVia(via);
  const rest = restOfList(headers.get('Via') ?? '');
  headers.setFirstDecoded('Via', rest === undefined ? text : `${text}, ${rest}`, decodeTopVia, via);
}

/** The topmost Via; undefined when there is none or it is malformed. */
export function getTopVia(headers: SipHeaders): Via | undefined {
  return headers.decodeFirst('Via', decodeTopVia);
}

/** Every Via, top first; undefined when any is malformed. */
export function getVias(headers: SipHeaders): Via[] | undefined {
  const vias: Via[] = [];
  for (const list of headers.decodeEach('Via', parseViaList)) {
    if (list === undefined) return undefined;
    vias.push(...list);
  }
  return vias;
}
