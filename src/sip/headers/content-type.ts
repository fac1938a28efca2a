/** Content-Type (RFC 3261 §20.15): m-type "/" m-subtype *( ";" m-parameter ). */
import { scanToken, skipWhitespace } from '../grammar/chars.js';
import { type Params, scanParams } from '../grammar/params.js';
import type { SipHeaders } from './header-list.js';

export interface MediaType {
  /** Lower-cased. */
  readonly type: string;
  /** Lower-cased. */
  readonly subtype: string;
  /** By lower-cased name; quoted values keep their quotes (see paramText). */
  readonly params: Params;
}

export function parseMediaType(value: string): MediaType | undefined {
  const typeStart = skipWhitespace(value, 0);
  const typeEnd = scanToken(value, typeStart);
  const slash = skipWhitespace(value, typeEnd);
  if (typeEnd === typeStart || value.charCodeAt(slash) !== 0x2f) return undefined;
  const subtypeStart = skipWhitespace(value, slash + 1);
  const subtypeEnd = scanToken(value, subtypeStart);
  if (subtypeEnd === subtypeStart) return undefined;
  const params = new Map<string, string | null>();
  if (scanParams(value, subtypeEnd, params) !== value.length) return undefined;
  return {
    type: value.slice(typeStart, typeEnd).toLowerCase(),
    subtype: value.slice(subtypeStart, subtypeEnd).toLowerCase(),
    params,
  };
}

/** "type/subtype", lower-cased, without parameters. */
export function essence(mediaType: MediaType): string {
  return `${mediaType.type}/${mediaType.subtype}`;
}

export function getContentType(headers: SipHeaders): MediaType | undefined {
  return headers.decodeFirst('Content-Type', parseMediaType);
}
