/** Validation of received messages, in msrprelay's order and with its texts (relay spec §3.4). */
import { parseCredentials } from '../../auth/auth-params.js';
import {
  parseByteRange,
  parseFailureReport,
  parseSeconds,
  parseStatus,
  parseSuccessReport,
} from '../headers.js';
import { equalsIgnoreCase, type MsrpHead } from '../message.js';
import { detachedCopy } from '../../text/detached-copy.js';
import { type MsrpUri, msrpUriEquals, parseMsrpPath } from '../uri.js';

export const UNINTELLIGIBLE = 'Request was unintelligible, please try again';
export const NO_SESSION = 'Indicated session does not exist, please terminate';

export interface Paths {
  readonly to: readonly MsrpUri[];
  readonly from: readonly MsrpUri[];
  /** Raw header texts, re-emitted verbatim where msrprelay copied them. */
  readonly toText: string;
  readonly fromText: string;
}

export type PathsResult =
  | { readonly kind: 'ok'; readonly paths: Paths }
  /** To-Path or From-Path absent: msrprelay ignored such messages (the invalid-connection timer ends them). */
  | { readonly kind: 'missing' }
  /** Present but not MSRP URIs: `reply` addresses the 400 when From-Path is usable. */
  | {
      readonly kind: 'invalid';
      readonly header: string;
      readonly reply: { to: string; from: string } | undefined;
    };

/**
 * Remembers the few paths one connection keeps sending (its session's To-Path and From-Path, and the
 * paths of responses), so that URIs are parsed once per session rather than once per chunk. A short list
 * compared by text: cheaper than a Map, which hashes every (new) header string it is asked about.
 */
export class PathCache {
  readonly #texts: string[] = [];
  readonly #paths: (readonly MsrpUri[] | undefined)[] = [];

  parse(text: string): readonly MsrpUri[] | undefined {
    const at = this.#texts.indexOf(text);
    if (at !== -1) return this.#paths[at];
    if (this.#texts.length >= 8) {
      this.#texts.length = 0;
      this.#paths.length = 0;
    }
    // A copy, so that what stays cached does not keep the whole message head it was read from alive.
    const own = detachedCopy(text);
    const path = parseMsrpPath(own);
    this.#texts.push(own);
    this.#paths.push(path);
    return path;
  }
}

/** The message's To-Path and From-Path, parsed through `cache` when the connection has one. */
export function readPaths(head: MsrpHead, cache: PathCache | undefined): PathsResult {
  const toText = head.headers.get('To-Path');
  const fromText = head.headers.get('From-Path');
  if (toText === undefined || fromText === undefined) return { kind: 'missing' };
  const to = cache === undefined ? parseMsrpPath(toText) : cache.parse(toText);
  const from = cache === undefined ? parseMsrpPath(fromText) : cache.parse(fromText);
  if (to !== undefined && from !== undefined) {
    return { kind: 'ok', paths: { to, from, toText: toText.trim(), fromText: fromText.trim() } };
  }
  const replyTo = from?.[0]?.text;
  const replyFrom = toText.trim().split(/[ \t]+/)[0] ?? '';
  return {
    kind: 'invalid',
    header: to === undefined ? 'To-Path' : 'From-Path',
    reply: replyTo === undefined ? undefined : { to: replyTo, from: replyFrom },
  };
}

/** Known headers: their canonical name (for the 400 text) and value parser. */
const VALIDATORS: readonly (readonly [string, (value: string) => unknown])[] = [
  ['Use-Path', parseMsrpPath],
  ['Expires', parseSeconds],
  ['Min-Expires', parseSeconds],
  ['Max-Expires', parseSeconds],
  ['Byte-Range', parseByteRange],
  ['Success-Report', parseSuccessReport],
  ['Failure-Report', parseFailureReport],
  ['Status', parseStatus],
  ['Authorization', parseCredentials],
];

/** The name of the first known header that does not parse, for `400 … (Error parsing <H> header)`. */
export function findInvalidHeader(head: MsrpHead): string | undefined {
  for (const { name, value } of head.headers.entries) {
    // A scan rather than a map by lower-case name: most names differ in length, so no copy is made.
    const validator = VALIDATORS.find(([known]) => equalsIgnoreCase(name, known));
    if (validator !== undefined && validator[1](value) === undefined) return validator[0];
  }
  return undefined;
}

export function headerError(name: string): string {
  return `${UNINTELLIGIBLE} (Error parsing ${name} header)`;
}

/**
 * Element-wise URI equality of `received` from element `offset` on with `stored`; a longer received path
 * does not match.
 */
export function pathMatches(
  received: readonly MsrpUri[],
  offset: number,
  stored: readonly MsrpUri[],
): boolean {
  if (received.length - offset > stored.length) return false;
  for (let i = offset; i < received.length; i++) {
    const uri = received[i];
    const other = stored[i - offset];
    if (uri === undefined || other === undefined || !msrpUriEquals(uri, other)) return false;
  }
  return true;
}
