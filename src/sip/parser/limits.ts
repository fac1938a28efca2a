/**
 * Limits on what a peer can make the parser hold, and the URI schemes accepted in a Request-URI. Every limit
 * has a defined answer (see errors.ts): a request is rejected with the status given here, a response or
 * unrecognisable input is dropped, and a stream whose framing is lost is closed.
 */

export interface SipParserLimits {
  /**
   * Longest start line or header line in bytes, without CRLF. Start line: 414; header line: 513, measured
   * both as received and as the field will be written (unfolded, its compact name spelled out).
   */
  readonly maxLineLength: number;
  /** Most header fields (after unfolding). Above: 513. */
  readonly maxHeaders: number;
  /** Most bytes from the start of the start line to the end of the empty line. Above: 513. */
  readonly maxHeaderBytes: number;
  /** Largest body (Content-Length, or the rest of a datagram). Above: 413. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_SIP_PARSER_LIMITS: SipParserLimits = {
  maxLineLength: 8 * 1024,
  maxHeaders: 100,
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024,
};

/** Request-URI schemes served; any other is answered 416 (RFC 3261 §8.2.2.1). tel: is kept opaque. */
export const DEFAULT_URI_SCHEMES: readonly string[] = ['sip', 'sips', 'tel'];

export interface SipParserOptions {
  readonly limits?: Partial<SipParserLimits> | undefined;
  readonly uriSchemes?: Iterable<string> | undefined;
}

/** Options resolved once, so that parsing a message allocates nothing for them. */
export interface ParserConfig {
  readonly limits: SipParserLimits;
  readonly uriSchemes: ReadonlySet<string>;
}

export const DEFAULT_PARSER_CONFIG: ParserConfig = {
  limits: DEFAULT_SIP_PARSER_LIMITS,
  uriSchemes: new Set(DEFAULT_URI_SCHEMES),
};

export function parserConfig(options: SipParserOptions | undefined): ParserConfig {
  if (options === undefined) return DEFAULT_PARSER_CONFIG;
  return {
    limits: { ...DEFAULT_SIP_PARSER_LIMITS, ...options.limits },
    uriSchemes: new Set(
      [...(options.uriSchemes ?? DEFAULT_URI_SCHEMES)].map((scheme) => scheme.toLowerCase()),
    ),
  };
}
