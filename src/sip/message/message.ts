/**
 * SIP messages (RFC 3261 §7): a request or a response, its headers (SipHeaders, typed values decoded on
 * demand by the headers/ modules) and its body as bytes. Only SIP/2.0 exists: the parser answers 505 to any
 * other version and the serializer always writes SIP/2.0.
 */
import { SipHeaders } from '../headers/header-list.js';
import type { Uri } from '../uri.js';

export const SIP_VERSION = 'SIP/2.0';

const EMPTY = Buffer.alloc(0);

export interface SipRequestInit {
  readonly method: string;
  readonly uri: Uri;
  readonly headers?: SipHeaders | undefined;
  readonly body?: Buffer | undefined;
}

export class SipRequest {
  readonly kind = 'request';
  readonly version = SIP_VERSION;
  /** Case-sensitive (RFC 3261 §7.1): INVITE, MESSAGE, or any extension token. */
  method: string;
  uri: Uri;
  headers: SipHeaders;
  body: Buffer;

  constructor(init: SipRequestInit) {
    this.method = init.method;
    this.uri = init.uri;
    this.headers = init.headers ?? new SipHeaders();
    this.body = init.body ?? EMPTY;
  }
}

export interface SipResponseInit {
  readonly status: number;
  readonly reason: string;
  readonly headers?: SipHeaders | undefined;
  readonly body?: Buffer | undefined;
}

export class SipResponse {
  readonly kind = 'response';
  readonly version = SIP_VERSION;
  /** 100 to 699. */
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;

  constructor(init: SipResponseInit) {
    this.status = init.status;
    this.reason = init.reason;
    this.headers = init.headers ?? new SipHeaders();
    this.body = init.body ?? EMPTY;
  }
}

export type SipMessage = SipRequest | SipResponse;
