/** Typed decoders for the MSRP header values the relay interprets (RFC 4975 §9, RFC 4976 §9). */

export interface ByteRange {
  readonly start: number;
  /** undefined for `*`. */
  readonly end: number | undefined;
  /** undefined for `*`. */
  readonly total: number | undefined;
}

const BYTE_RANGE = /^(\d{1,15})-(\d{1,15}|\*)\/(\d{1,15}|\*)$/;

export function parseByteRange(value: string): ByteRange | undefined {
  const match = BYTE_RANGE.exec(value.trim());
  if (match === null) return undefined;
  const [, start = '', end = '', total = ''] = match;
  return {
    start: Number(start),
    end: end === '*' ? undefined : Number(end),
    total: total === '*' ? undefined : Number(total),
  };
}

export function formatByteRange(range: ByteRange): string {
  return `${range.start}-${range.end ?? '*'}/${range.total ?? '*'}`;
}

export type FailureReport = 'yes' | 'no' | 'partial';

export function parseFailureReport(value: string): FailureReport | undefined {
  const v = value.trim();
  return v === 'yes' || v === 'no' || v === 'partial' ? v : undefined;
}

export function parseSuccessReport(value: string): boolean | undefined {
  const v = value.trim();
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

/** Expires, Min-Expires, Max-Expires: a non-negative integer of seconds. */
export function parseSeconds(value: string): number | undefined {
  const v = value.trim();
  return /^\d{1,10}$/.test(v) ? Number(v) : undefined;
}

/** Status: `000 ddd [comment]` (the namespace is always 000 in RFC 4975). */
export function parseStatus(value: string): { code: number; comment: string | undefined } | undefined {
  const match = /^(\d{3}) (\d{3})(?: (.*))?$/.exec(value.trim());
  if (match === null) return undefined;
  return { code: Number(match[2]), comment: match[3] };
}
