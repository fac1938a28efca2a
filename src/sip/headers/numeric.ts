/**
 * Integer header values: Content-Length, Max-Forwards, Expires and other delta-seconds (RFC 3261 §25.1).
 * Only 1*DIGIT is accepted (leading zeros are fine, RFC 4475 §3.1.1.1); a value out of range is invalid,
 * never wrapped or truncated.
 */
import { isDigit } from '../grammar/chars.js';
import type { SipHeaders } from './header-list.js';

/** 2**32 - 1: the limit of CSeq numbers and delta-seconds. */
export const MAX_UINT32 = 4294967295;

/** 1*DIGIT (leading and trailing whitespace allowed) not above `max`; undefined otherwise. */
export function parseDigits(value: string, max: number): number | undefined {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  if (start === end) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const code = value.charCodeAt(i);
    if (!isDigit(code)) return undefined;
    n = n * 10 + code - 0x30;
    if (n > max) return undefined;
  }
  return n;
}

export function parseContentLength(value: string): number | undefined {
  return parseDigits(value, Number.MAX_SAFE_INTEGER);
}

export function parseMaxForwards(value: string): number | undefined {
  return parseDigits(value, 255);
}

/** delta-seconds: 0 to 2**32-1. */
export function parseDeltaSeconds(value: string): number | undefined {
  return parseDigits(value, MAX_UINT32);
}

/** undefined when absent or invalid (a proxy may then treat it as absent, RFC 4475 §3.1.2.4). */
export function getMaxForwards(headers: SipHeaders): number | undefined {
  return headers.decodeFirst('Max-Forwards', parseMaxForwards);
}

/** undefined when absent or invalid (a registrar then applies its default, RFC 4475 §3.1.2.4). */
export function getExpires(headers: SipHeaders): number | undefined {
  return headers.decodeFirst('Expires', parseDeltaSeconds);
}
