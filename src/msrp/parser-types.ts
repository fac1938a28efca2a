/** What the streaming MSRP parser (parser.ts) is given and what it reports: limits, events, errors. */
import type { ContinuationFlag, MsrpHead } from './message.js';

export interface ParserLimits {
  /** Longest start or header line, without its CRLF. */
  readonly maxLineLength: number;
  readonly maxHeaderLines: number;
  readonly maxTidLength: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxLineLength: 16384,
  maxHeaderLines: 64,
  maxTidLength: 64,
};

export type ProtocolErrorKind =
  | 'line-too-long'
  | 'too-many-headers'
  | 'invalid-utf8'
  | 'invalid-transaction-id'
  | 'invalid-start-line';

export class MsrpProtocolError extends Error {
  constructor(
    readonly kind: ProtocolErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'MsrpProtocolError';
  }
}

export interface ParserHandler {
  onHead(head: MsrpHead): void;
  onBody(slice: Buffer): void;
  onEnd(flag: ContinuationFlag): void;
}
