/**
 * The longest start of a text whose JSON string form fits a number of bytes: what a push payload's message
 * text is cut to when the whole payload must stay under a provider's limit. The cut falls between code
 * points, so the UTF-8 that goes out is whole characters (never half a surrogate pair or half a sequence),
 * and each character is counted as JSON.stringify writes it (`"` and `\` escaped, control characters as
 * `\n` or `\u00XX`, a lone surrogate as `\uDXXX`, everything else as its UTF-8 bytes).
 */

/** The bytes JSON.stringify writes for the code point `point` inside a string. */
function jsonBytes(point: number): number {
  if (point === 0x22 || point === 0x5c) return 2;
  if (point < 0x20)
    return point === 0x08 || point === 0x09 || point === 0x0a || point === 0x0c || point === 0x0d ? 2 : 6;
  if (point < 0x80) return 1;
  if (point < 0x800) return 2;
  if (point >= 0xd800 && point <= 0xdfff) return 6;
  if (point < 0x10000) return 3;
  return 4;
}

/** The bytes of `JSON.stringify(text)` without its two quotes. */
export function jsonStringBytes(text: string): number {
  let bytes = 0;
  for (const character of text) bytes += jsonBytes(character.codePointAt(0) ?? 0);
  return bytes;
}

/** The longest prefix of `text`, whole code points, whose JSON string form (quotes aside) is at most `maxBytes`. */
export function cutToJsonBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    bytes += jsonBytes(character.codePointAt(0) ?? 0);
    if (bytes > maxBytes) return text.slice(0, end);
    end += character.length;
  }
  return text;
}
