/** The bytes and tokens of MSRP start lines, header lines and end-lines (RFC 4975 §7.1, §9) the parser looks for. */

export const CR = 0x0d;
export const LF = 0x0a;
export const DASH = 0x2d;
export const CRLF = Buffer.from('\r\n');
export const START_PREFIX = Buffer.from('MSRP ');
export const TID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]*$/;
export const METHOD_PATTERN = /^[A-Za-z]+$/;
export const STATUS_PATTERN = /^\d{3}$/;

export function startsWithPrefix(buf: Buffer, at: number): boolean {
  return (
    buf.length - at >= START_PREFIX.length && START_PREFIX.compare(buf, at, at + START_PREFIX.length) === 0
  );
}

/** An end-line's continuation flag: `$` (last chunk), `+` (more follow) or `#` (aborted). */
export function isFlagByte(byte: number | undefined): boolean {
  return byte === 0x24 || byte === 0x2b || byte === 0x23; // $ + #
}

/**
 * Whether a header line's name is made of RFC 4975 token characters (`%x21 / %x23-27 / %x2A-2B / %x2D-2E /
 * %x30-39 / %x41-5A / %x5E-7E`; hname is ALPHA *token, a leading non-letter is let through as msrprelay
 * did). Anything else (a space, a bare CR, any control character) makes the line malformed: forwarding it
 * would hand the next hop a header it cannot parse.
 */
export function isHeaderName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const token =
      c === 0x21 ||
      (c >= 0x23 && c <= 0x27) ||
      c === 0x2a ||
      c === 0x2b ||
      c === 0x2d ||
      c === 0x2e ||
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x5e && c <= 0x7e);
    if (!token) return false;
  }
  return true;
}
