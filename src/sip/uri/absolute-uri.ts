/**
 * Any other absolute URI (tel:, urn:, http:, ...): RFC 3261 §19.1 lets headers carry them, and tel: may be a
 * Request-URI. They are kept opaque: scheme and text, compared as text.
 */

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), lower-cased; undefined when `text` has none. */
export function uriScheme(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  for (let i = 0; i < colon; i++) {
    const code = text.charCodeAt(i) | 0x20;
    const alpha = code >= 0x61 && code <= 0x7a;
    if (i === 0 ? !alpha : !alpha && !isSchemeSymbolOrDigit(text.charCodeAt(i))) return undefined;
  }
  return text.slice(0, colon).toLowerCase();
}

function isSchemeSymbolOrDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2d || code === 0x2e;
}

export class AbsoluteUri {
  private constructor(
    /** Lower-cased. */
    readonly scheme: string,
    readonly text: string,
  ) {}

  /** undefined unless `text` is scheme ":" followed by at least one visible character and no delimiters. */
  static parse(text: string): AbsoluteUri | undefined {
    const scheme = uriScheme(text);
    if (scheme === undefined || text.length === scheme.length + 1) return undefined;
    for (let i = scheme.length + 1; i < text.length; i++) {
      const code = text.charCodeAt(i);
      // Space, controls and the characters that delimit a URI in a header (RFC 3986 §2, RFC 3261 §20).
      if (code <= 0x20 || code === 0x7f || code === 0x22 || code === 0x3c || code === 0x3e) return undefined;
    }
    return new AbsoluteUri(scheme, text);
  }

  toString(): string {
    return this.text;
  }
}
