/** The parsed head of an MSRP message: start line and headers, as text. Bodies stay Buffers elsewhere. */

export type ContinuationFlag = '$' | '+' | '#';

export interface Header {
  readonly name: string;
  readonly value: string;
}

/** Headers in received order; look-ups are case-insensitive (RFC 4975 ABNF strings are). */
export class HeaderList {
  readonly entries: Header[] = [];

  add(name: string, value: string): void {
    this.entries.push({ name, value });
  }

  /** The last occurrence wins, as in msrprelay's header dictionary. */
  get(name: string): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry !== undefined && equalsIgnoreCase(entry.name, name)) return entry.value;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

/**
 * `a.toLowerCase() === b.toLowerCase()`, without making the lower-case copies in the usual case (ASCII
 * header names, compared for every header of every chunk).
 */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  if (a === b) return true;
  return asciiFoldedEqual(a, b, a.length) ?? a.toLowerCase() === b.toLowerCase();
}

/** `equalsIgnoreCase(text.slice(0, prefix.length), prefix)`, without the slice. */
export function startsWithIgnoreCase(text: string, prefix: string): boolean {
  if (text.length < prefix.length) return false;
  return (
    asciiFoldedEqual(text, prefix, prefix.length) ??
    text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()
  );
}

/**
 * Compares the first `length` characters with ASCII case folding; undefined when a differing character
 * is not ASCII (case mapping there is Unicode's business, and rare in MSRP: the caller compares for real).
 */
function asciiFoldedEqual(a: string, b: string, length: number): boolean | undefined {
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 0x7f || y > 0x7f) return undefined;
    if ((x | 0x20) !== (y | 0x20) || !isAsciiLetter(x)) return false;
  }
  return true;
}

function isAsciiLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

export interface MsrpHead {
  readonly tid: string;
  /** Set for requests. */
  readonly method: string | undefined;
  /** Set for responses. */
  readonly status: number | undefined;
  readonly comment: string | undefined;
  readonly headers: HeaderList;
  /** True when the headers ended with an empty line, i.e. a body section follows. */
  readonly hasBody: boolean;
  /** Header lines that could not be read as `name: value`; the message is answered with 400. */
  readonly malformedLines: number;
  /**
   * The received header lines as bytes (CRLF between them, none after the last) when they are exactly
   * `${name}: ${value}` for each entry, in order, and ASCII: a relay can then forward them without writing
   * them out again. Undefined otherwise (and for heads split across reads). A slice of the received bytes:
   * whoever keeps it keeps them.
   */
  readonly verbatimHeaders?: Buffer | undefined;
}
