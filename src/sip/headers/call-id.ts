/** Call-ID (RFC 3261 §20.8): word [ "@" word ]. Compared byte for byte (case-sensitive). */
import { scanWord } from '../grammar/chars.js';
import type { SipHeaders } from './header-list.js';

export function isValidCallId(value: string): boolean {
  const end = scanWord(value, 0);
  if (end === 0) return false;
  if (end === value.length) return true;
  if (value.charCodeAt(end) !== 0x40) return false;
  const second = scanWord(value, end + 1);
  return second > end + 1 && second === value.length;
}

/** The Call-ID when present and valid. */
export function getCallId(headers: SipHeaders): string | undefined {
  const value = headers.get('Call-ID');
  return value !== undefined && isValidCallId(value) ? value : undefined;
}
