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

export function equalsIgnoreCase(a: string, b: string): boolean {
  return a.length === b.length && (a === b || a.toLowerCase() === b.toLowerCase());
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
}
