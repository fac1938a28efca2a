/**
 * The REGISTER that checks an HA1 upstream (src/messaging/upstream-registration.ts, sylk spec §1.7.1): what
 * it sends through the outbound proxy and how it answers each kind of challenge. The proxy here is a
 * recording stand-in for routing's outbound interface that answers with parsed SIP responses; Kamailio
 * answers for real in test/interop/behind-kamailio-sylkrtc.test.ts (qop=auth).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAuthParams } from '../../src/auth/auth-params.js';
import { UpstreamRegistration } from '../../src/messaging/upstream-registration.js';
import type { OutboundRequests } from '../../src/routing/outbound-requests.js';
import type { SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import type { ClientTransactionHandler } from '../../src/sip/transaction/types.js';
import type { MessageSource } from '../../src/sip/transport/types.js';
import { parseUri, type SipUri } from '../../src/sip/uri.js';
import { md5 } from '../support/md5.js';

const ACCOUNT = 'alice@example.com';
const HA1 = md5('alice:example.com:secret');
const PROXY = parseUri('sip:192.0.2.1:5060') as SipUri;
const FROM_PROXY: MessageSource = {
  transport: 'udp',
  host: '192.0.2.1',
  port: 5060,
  local: { host: '192.0.2.9', port: 5060 },
};

function response(status: string, headers: readonly string[], request: SipRequest): SipResponse {
  const text = [
    `SIP/2.0 ${status}`,
    'Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKx',
    `From: ${request.headers.get('From') ?? ''}`,
    `To: ${request.headers.get('To') ?? ''};tag=p`,
    `Call-ID: ${request.headers.get('Call-ID') ?? ''}`,
    `CSeq: ${request.headers.get('CSeq') ?? ''}`,
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseDatagram(Buffer.from(text));
  if (parsed.kind !== 'message' || parsed.message.kind !== 'response') throw new Error('not a response');
  return parsed.message;
}

/** Answers the n-th request with answers[n] (a status line and headers), keeping the requests. */
class Proxy implements OutboundRequests {
  readonly sent: SipRequest[] = [];
  readonly #answers: readonly (readonly [string, readonly string[]])[];
  constructor(answers: readonly (readonly [string, readonly string[]])[]) {
    this.#answers = answers;
  }
  throughServer(server: SipUri, request: SipRequest, handler: ClientTransactionHandler): Promise<void> {
    assert.equal(server.toString(), PROXY.toString());
    const answer = this.#answers[this.sent.length];
    this.sent.push(request);
    if (answer === undefined) handler.onFailure('timeout');
    else handler.onResponse(response(answer[0], answer[1], request), FROM_PROXY);
    return Promise.resolve();
  }
  toDevices(): Promise<number> {
    return Promise.reject(new Error('not used'));
  }
  isLocalDomain(): boolean {
    return false;
  }
}

const digest = (request: SipRequest | undefined, header: string): Map<string, string> => {
  const value = request?.headers.get(header) ?? '';
  const params = parseAuthParams(value.replace(/^Digest\s+/i, ''));
  assert.ok(params !== undefined, value);
  return params;
};

describe('UpstreamRegistration: a REGISTER with digest from the HA1', () => {
  test('a query REGISTER (no Contact) via the proxy; a 401 with qop=auth answered; the final answer returned', async () => {
    const proxy = new Proxy([
      [
        '401 Unauthorized',
        ['WWW-Authenticate: Digest realm="example.com", nonce="n1", qop="auth,auth-int", opaque="o\\"1"'],
      ],
      ['200 OK', []],
    ]);
    const registration = new UpstreamRegistration({ requests: proxy, outboundProxy: PROXY });
    assert.deepEqual(await registration.register(ACCOUNT, HA1), { status: 200, reason: 'OK' });
    const first = proxy.sent.at(0);
    const second = proxy.sent.at(1);
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.method, 'REGISTER');
    assert.equal(first.uri.toString(), 'sip:example.com');
    assert.equal(first.headers.get('Route'), '<sip:192.0.2.1:5060;lr>');
    assert.equal(first.headers.get('Contact'), undefined);
    assert.match(first.headers.get('From') ?? '', /^<sip:alice@example\.com>;tag=/);
    assert.equal(first.headers.get('To'), '<sip:alice@example.com>');
    assert.equal(second.headers.get('Call-ID'), first.headers.get('Call-ID'));
    assert.equal(second.headers.get('CSeq'), '2 REGISTER');
    const params = digest(second, 'Authorization');
    assert.equal(params.get('username'), 'alice');
    assert.equal(params.get('realm'), 'example.com');
    assert.equal(params.get('uri'), 'sip:example.com');
    assert.equal(params.get('qop'), 'auth');
    assert.equal(params.get('opaque'), 'o"1');
    const ha2 = md5('REGISTER:sip:example.com');
    const expected = md5(`${HA1}:n1:${params.get('nc') ?? ''}:${params.get('cnonce') ?? ''}:auth:${ha2}`);
    assert.equal(params.get('response'), expected);
  });

  test('a 407 without qop (RFC 2069 form) is answered in Proxy-Authorization', async () => {
    const proxy = new Proxy([
      ['407 Proxy Authentication Required', ['Proxy-Authenticate: Digest realm="example.com", nonce="n2"']],
      ['403 Forbidden', []],
    ]);
    const registration = new UpstreamRegistration({ requests: proxy, outboundProxy: PROXY });
    assert.deepEqual(await registration.register(ACCOUNT, HA1), { status: 403, reason: 'Forbidden' });
    const params = digest(proxy.sent[1], 'Proxy-Authorization');
    assert.equal(params.get('qop'), undefined);
    assert.equal(params.get('response'), md5(`${HA1}:n2:${md5('REGISTER:sip:example.com')}`));
  });

  test('a challenge an HA1 cannot answer, a timeout, a non-challenge: that answer, nothing more sent', async () => {
    const cases: readonly (readonly [readonly (readonly [string, readonly string[]])[], unknown])[] = [
      [
        [
          [
            '401 Unauthorized',
            ['WWW-Authenticate: Digest realm="example.com", nonce="n", algorithm=SHA-256'],
          ],
        ],
        { status: 401, reason: 'Unauthorized' },
      ],
      [
        [['401 Unauthorized', ['WWW-Authenticate: Digest realm="example.com", nonce="n", qop="auth-int"']]],
        { status: 401, reason: 'Unauthorized' },
      ],
      [
        [['401 Unauthorized', ['WWW-Authenticate: Basic realm="x"']]],
        { status: 401, reason: 'Unauthorized' },
      ],
      [[['401 Unauthorized', []]], { status: 401, reason: 'Unauthorized' }],
      [[], { status: 408, reason: 'Request Timeout' }],
      [[['500 Database Down', []]], { status: 500, reason: 'Database Down' }],
    ];
    for (const [answers, expected] of cases) {
      const proxy = new Proxy(answers);
      const registration = new UpstreamRegistration({ requests: proxy, outboundProxy: PROXY });
      assert.deepEqual(await registration.register(ACCOUNT, HA1), expected, JSON.stringify(answers));
      assert.equal(proxy.sent.length, 1, JSON.stringify(answers));
    }
  });
});
