/**
 * Percent-escapes (RFC 3261 §19.1.2): `%HH` stands for the octet HH. Comparisons decode to octets (held as a
 * latin1 string, so `%00` and invalid UTF-8 survive) and never unescape twice (RFC 3986 §2.4).
 */
import { isEscapedAt } from './chars.js';

/** The octets a URI component denotes, one char per octet. Malformed escapes are kept literally. */
export function unescapeOctets(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 || code > 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (isEscapedAt(text, i)) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = text.codePointAt(i) ?? 0;
      if (code <= 0x7f) bytes.push(code);
      else {
        for (const byte of Buffer.from(String.fromCodePoint(code), 'utf8')) bytes.push(byte);
        if (code > 0xffff) i++;
      }
    }
  }
  return Buffer.from(bytes).toString('latin1');
}

/** The text a component denotes, decoded as UTF-8 (for display; use unescapeOctets to compare). */
export function unescapeText(text: string): string {
  return text.includes('%') ? Buffer.from(unescapeOctets(text), 'latin1').toString('utf8') : text;
}
