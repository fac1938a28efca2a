// Exact-bytes assertions for relay-generated messages. Values the relay chooses (forwarded tids,
// nonce, opaque) are checked for form, then substituted, so everything else must match byte for byte.
import assert from 'node:assert/strict';
import { parseDigestParams } from './digest.js';
import {
  type MsrpMessage,
  type RequestSpec,
  type ResponseSpec,
  TID24,
  header,
  request,
  response,
  show,
} from './message.js';

/** Compares all bytes of `msg`, showing CRLFs as ⏎ in the diff. */
export function assertBytes(msg: MsrpMessage, expected: Buffer | string, what = 'message'): void {
  assert.equal(show(msg.bytes), show(Buffer.from(expected)), `${what} differs`);
}

export function assertResponse(msg: MsrpMessage, expected: ResponseSpec): void {
  assertBytes(msg, response(expected), `${expected.status} response`);
}

/** A request the relay generated or forwarded: a 24-hex tid, and otherwise exactly `expected`. */
export function assertRelayRequest(msg: MsrpMessage, expected: Omit<RequestSpec, 'tid'>): void {
  assert.match(msg.tid, TID24, `relay tid of:\n${show(msg)}`);
  assertBytes(msg, request({ ...expected, tid: msg.tid }), `${expected.method} from the relay`);
}

export interface ReportSpec {
  readonly toPath: string;
  readonly fromPath: string;
  readonly status: string;
  readonly messageId: string;
  /** Absent when no body byte was received (relay spec §3.8). */
  readonly byteRange?: string;
}

/** A relay-generated REPORT in the format of relay spec §3.8. */
export function assertRelayReport(msg: MsrpMessage, r: ReportSpec): void {
  const headers: [string, string][] = [
    ['Status', r.status],
    ['Message-ID', r.messageId],
  ];
  if (r.byteRange !== undefined) headers.push(['Byte-Range', r.byteRange]);
  assertRelayRequest(msg, { method: 'REPORT', toPath: r.toPath, fromPath: r.fromPath, headers });
}

export interface ChallengeSpec {
  readonly tid: string;
  readonly toPath: string;
  readonly fromPath: string;
  readonly realm: string;
}

/** The exact 401 of relay spec §2.1; returns the nonce and opaque it carries. */
export function assertChallenge(msg: MsrpMessage, c: ChallengeSpec): { nonce: string; opaque: string } {
  const params = parseDigestParams(header(msg, 'WWW-Authenticate') ?? 'Digest missing=""');
  const nonce = params.get('nonce') ?? '';
  const opaque = params.get('opaque') ?? '';
  assert.match(nonce, /^[A-Za-z0-9+/]+={0,2}$/, 'nonce is base64');
  assert.match(opaque, /^[0-9a-f]{32}$/, 'opaque is 32 hex digits');
  assertResponse(msg, {
    tid: c.tid,
    status: 401,
    comment: 'Unauthenticated',
    toPath: c.toPath,
    fromPath: c.fromPath,
    headers: [
      ['WWW-Authenticate', `Digest realm="${c.realm}", qop="auth", nonce="${nonce}", opaque="${opaque}"`],
    ],
  });
  return { nonce, opaque };
}

/** A relay response with this status and tid; the rest is not checked (for loosely specified Targets). */
export function assertStatus(msg: MsrpMessage, tid: string, status: number): void {
  assert.equal(
    `${msg.tid} ${msg.status}`,
    `${tid} ${status}`,
    `expected a ${status} for ${tid}, got:\n${show(msg)}`,
  );
}
