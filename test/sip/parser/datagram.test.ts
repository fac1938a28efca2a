/** The datagram parser: one message per UDP packet, limits and their answers (RFC 3261 §18.3). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getCSeq } from '../../../src/sip/headers/cseq.js';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import { DEFAULT_SIP_PARSER_LIMITS, parserConfig } from '../../../src/sip/parser/limits.js';
import { AbsoluteUri } from '../../../src/sip/uri.js';
import {
  BASIC_HEADERS,
  expectDrop,
  expectReject,
  message,
  parseError,
  parseRequest,
  parseResponse,
  request,
} from '../helpers.js';

const RESPONSE_HEADERS = BASIC_HEADERS.filter((h) => !h.startsWith('Max-Forwards')).map((h) =>
  h.startsWith('To:') ? `${h};tag=8321234356` : h,
);

describe('messages', () => {
  test('a request: method, URI, headers, body', () => {
    const parsed = parseRequest(request(['Content-Type: text/plain'], 'Watson, come here.'));
    assert.equal(parsed.method, 'MESSAGE');
    assert.equal(parsed.uri.toString(), 'sip:bob@example.com');
    assert.equal(parsed.version, 'SIP/2.0');
    assert.equal(getTopVia(parsed.headers)?.branch, 'z9hG4bK74bf9');
    assert.deepEqual(getCSeq(parsed.headers), { seq: 1, method: 'MESSAGE' });
    assert.equal(parsed.body.toString(), 'Watson, come here.');
  });

  test('a response', () => {
    const parsed = parseResponse(message(['SIP/2.0 202 Accepted', ...RESPONSE_HEADERS, 'Content-Length: 0']));
    assert.deepEqual([parsed.status, parsed.reason], [202, 'Accepted']);
  });

  test("unknown and odd methods are valid messages (405/501 is the application's business)", () => {
    for (const method of ['FOO', 'invite', "!interesting-Method0123456789_*+`.%indeed'~"]) {
      const headers = BASIC_HEADERS.map((h) => (h.startsWith('CSeq') ? `CSeq: 1 ${method}` : h));
      const parsed = parseRequest(
        message([`${method} sip:bob@example.com SIP/2.0`, ...headers, 'Content-Length: 0']),
      );
      assert.equal(parsed.method, method);
    }
  });

  test('tel: Request-URIs are accepted opaque; schemes are configurable', () => {
    const tel = request([], '', 'MESSAGE tel:+1-201-555-0123 SIP/2.0');
    assert.ok(parseRequest(tel).uri instanceof AbsoluteUri);
    const result = parseDatagram(tel, parserConfig({ uriSchemes: ['sip', 'SIPS'] }));
    assert.equal(result.kind === 'error' && result.error.kind === 'reject' ? result.error.status : 0, 416);
  });

  test('body: cut to Content-Length, the rest of the datagram without one (RFC 4475 §3.1.1.8)', () => {
    const extra = Buffer.concat([request([], 'abc'), Buffer.from('INVITE sip:noise SIP/2.0\r\n\r\n')]);
    assert.equal(parseRequest(extra).body.toString(), 'abc');
    const noLength = message(['MESSAGE sip:bob@example.com SIP/2.0', ...BASIC_HEADERS], 'all of it\r\n');
    assert.equal(parseRequest(noLength).body.toString(), 'all of it\r\n');
  });

  test('leading CRLFs are skipped; a datagram of CRLFs or nothing is a keepalive', () => {
    assert.equal(parseRequest(Buffer.concat([Buffer.from('\r\n\r\n'), request()])).method, 'MESSAGE');
    for (const packet of ['', '\r\n', '\r\n\r\n', '\n'])
      assert.equal(parseDatagram(Buffer.from(packet)).kind, 'keepalive');
  });
});

describe('errors a request is answered with', () => {
  test('the reject carries the partial request for createResponse', () => {
    const error = expectReject(
      request([], '', 'OPTIONS sip:bob@example.com SIP/3.0'),
      505,
      'Version Not Supported',
    );
    assert.equal(error.request.method, 'OPTIONS');
    assert.equal(error.request.requestUri, 'sip:bob@example.com');
    assert.equal(getTopVia(error.request.headers)?.branch, 'z9hG4bK74bf9');
  });

  test('416 for an unknown scheme, 400 for a malformed Request-URI or line', () => {
    expectReject(request([], '', 'OPTIONS nobodyKnowsThisScheme:x SIP/2.0'), 416, 'Unsupported URI Scheme');
    expectReject(request([], '', 'OPTIONS <sip:bob@example.com> SIP/2.0'), 400, 'Malformed Request-URI');
    expectReject(request([], '', 'OPTIONS sip:bob@ex ample.com SIP/2.0'), 400, 'Malformed Request-Line');
    expectReject(request([], '', 'OPTIONS sip:bob@example.com SIP/2'), 400, 'Malformed SIP Version');
    expectReject(request([], '', 'OPTIONS sip:@example.com SIP/2.0'), 400, 'Malformed Request-URI');
    expectReject(request([], '', 'OPTIONS sip:a@b?x=y SIP/2.0'), 400, 'Headers In Request-URI');
  });

  test('a missing, repeated or malformed transaction header: 400 naming it', () => {
    const without = (name: string): string[] => BASIC_HEADERS.filter((h) => !h.startsWith(`${name}:`));
    for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
      expectReject(
        message(['MESSAGE sip:b@x SIP/2.0', ...without(name), 'Content-Length: 0']),
        400,
        `Missing ${name} Header`,
      );
    }
    expectReject(request(['To: <sip:other@example.com>']), 400, 'Multiple To Headers');
    expectReject(request(['i: another@host']), 400, 'Multiple Call-ID Headers');
    const replace = (name: string, value: string): Buffer =>
      message(['MESSAGE sip:b@x SIP/2.0', ...without(name), `${name}: ${value}`, 'Content-Length: 0']);
    expectReject(replace('Via', 'SIP/2.0/UDP'), 400, 'Malformed Via Header');
    expectReject(replace('From', '"unterminated <sip:a@b>'), 400, 'Malformed From Header');
    expectReject(replace('To', '< sip:b@x >'), 400, 'Malformed To Header');
    expectReject(replace('Call-ID', 'a b'), 400, 'Malformed Call-ID Header');
    expectReject(replace('CSeq', '4294967296 MESSAGE'), 400, 'Malformed CSeq Header');
    expectReject(replace('CSeq', '1 INVITE'), 400, 'CSeq Method Mismatch');
  });

  test('malformed header lines, folding and line breaks', () => {
    expectReject(request(['NoColonHere']), 400, 'Malformed Header Line');
    expectReject(request(['Bad Name: x']), 400, 'Malformed Header Line');
    expectReject(
      message(['MESSAGE sip:b@x SIP/2.0', ' folded-first: x', ...BASIC_HEADERS, 'Content-Length: 0']),
      400,
      'Malformed Header Line',
    );
    const bare = expectReject(
      request(['X-Evil: a\nVia: SIP/2.0/UDP evil;branch=z9hG4bKevil']),
      400,
      'Malformed Line Break',
    );
    for (const field of bare.request.headers.fields()) assert.doesNotMatch(field.value, /[\r\n]/);
    expectReject(request(['X-Evil: a\rb']), 400, 'Malformed Line Break');
  });

  test('Content-Length: malformed, conflicting, negative, larger than the datagram (RFC 4475 §3.1.2.2, §3.1.2.3, §3.3.9)', () => {
    expectReject(
      message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'Content-Length: five']),
      400,
      'Malformed Content-Length Header',
    );
    expectReject(
      message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'Content-Length: -999']),
      400,
      'Malformed Content-Length Header',
    );
    expectReject(
      message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'l: 3', 'Content-Length: 4'], 'abcd'),
      400,
      'Conflicting Content-Length Headers',
    );
    expectReject(
      message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'Content-Length: 10'], 'short'),
      400,
      'Content-Length Exceeds Datagram',
    );
    // The same value twice is consistent and accepted.
    assert.equal(
      parseRequest(
        message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'l: 2', 'Content-Length: 2'], 'ok'),
      ).body.toString(),
      'ok',
    );
  });

  test('invalid UTF-8 in the head: 400', () => {
    const bad = request(['Subject: x']);
    bad[bad.indexOf('Subject: x') + 9] = 0xff;
    const error = expectReject(bad, 400, 'Malformed UTF-8');
    assert.equal(error.request.headers.get('Call-ID'), '3848276298220188511@192.0.2.1');
    // In the Request-URI it is first of all a malformed URI.
    const inUri = request();
    inUri[inUri.indexOf('bob')] = 0xc3;
    assert.equal(parseError(inUri).kind, 'reject');
  });

  test('a head without the empty line: 400', () => {
    expectReject(
      Buffer.from(`MESSAGE sip:b@x SIP/2.0\r\n${BASIC_HEADERS.join('\r\n')}\r\n`),
      400,
      'Missing Empty Line',
    );
  });
});

describe('limits', () => {
  const config = parserConfig({
    limits: { maxLineLength: 200, maxHeaders: 12, maxHeaderBytes: 1000, maxBodyBytes: 100 },
  });
  const parse = (bytes: Buffer) => parseDatagram(bytes, config);
  const status = (bytes: Buffer): number | string => {
    const result = parse(bytes);
    if (result.kind !== 'error') return result.kind;
    return result.error.kind === 'reject' ? result.error.status : 'drop';
  };

  test('defaults', () => {
    assert.deepEqual(DEFAULT_SIP_PARSER_LIMITS, {
      maxLineLength: 8192,
      maxHeaders: 100,
      maxHeaderBytes: 65536,
      maxBodyBytes: 1048576,
    });
  });

  test('start line too long: 414 for a request, drop for a response', () => {
    assert.equal(status(request([], '', `MESSAGE sip:${'a'.repeat(200)}@x SIP/2.0`)), 414);
    assert.equal(status(message([`SIP/2.0 200 ${'O'.repeat(200)}`, ...RESPONSE_HEADERS])), 'drop');
    assert.equal(status(request([], '', `MESSAGE sip:${'a'.repeat(170)}@x SIP/2.0`)), 'message');
  });

  test('a header line too long or too many headers: 513', () => {
    assert.equal(status(request([`Subject: ${'x'.repeat(200)}`])), 513);
    assert.equal(status(request([`Subject: ${'x'.repeat(180)}`])), 'message');
    assert.equal(status(request(Array.from({ length: 5 }, (_, i) => `X-${i}: y`))), 'message');
    const tooMany = parse(request(Array.from({ length: 6 }, (_, i) => `X-${i}: y`)));
    assert.ok(tooMany.kind === 'error' && tooMany.error.kind === 'reject');
    assert.deepEqual([tooMany.error.status, tooMany.error.reason], [513, 'Too Many Headers']);
  });

  test('a field is measured as it will be written: unfolded, its compact name spelled out', () => {
    // Each physical line is short enough; written back (`Subject: …` on one line) the field would not be,
    // and what was accepted could not be parsed again (the round trip of parser-mutation.test.ts).
    assert.equal(status(request([`Subject: ${'x'.repeat(120)}`, ` ${'y'.repeat(120)}`])), 513);
    assert.equal(status(request([`Subject: ${'x'.repeat(90)}`, ` ${'y'.repeat(90)}`])), 'message');
    // `s: ` and 196 characters is 199 bytes; `Subject: ` and the same is 205.
    assert.equal(status(request([`s: ${'x'.repeat(196)}`])), 513);
    assert.equal(status(request([`s: ${'x'.repeat(190)}`])), 'message');
  });

  test('lines are measured in bytes, also when they are UTF-8', () => {
    assert.equal(status(request([`Subject: ${'é'.repeat(100)}`])), 513); // 109 characters, 209 bytes
    assert.equal(status(request([`Subject: ${'é'.repeat(90)}`])), 'message');
  });

  test('a head above maxHeaderBytes: 513 with the fields that fit', () => {
    const headers = Array.from({ length: 8 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(150)}`);
    const result = parse(request(headers));
    assert.ok(result.kind === 'error' && result.error.kind === 'reject');
    assert.equal(result.error.status, 513);
    assert.equal(getTopVia(result.error.request.headers)?.branch, 'z9hG4bK74bf9');
  });

  test('a body above maxBodyBytes: 413, declared or not', () => {
    assert.equal(status(request([], 'b'.repeat(101))), 413);
    assert.equal(status(message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS], 'b'.repeat(101))), 413);
    assert.equal(status(request([], 'b'.repeat(100))), 'message');
  });
});

describe('what is dropped', () => {
  test('responses that cannot be used', () => {
    expectDrop(
      message(['SIP/2.0 4294967301 better not break the receiver', ...RESPONSE_HEADERS, 'Content-Length: 0']),
    );
    expectDrop(
      message([
        'SIP/2.0 200 OK',
        ...RESPONSE_HEADERS.filter((h) => !h.startsWith('Via')),
        'Content-Length: 0',
      ]),
    );
    expectDrop(message(['SIP/2.0 200 OK', ...RESPONSE_HEADERS, 'Content-Length: 10'], 'short'));
  });

  test('garbage', () => {
    expectDrop(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expectDrop(Buffer.from('\u0000\u0001\u0002\r\n\r\n'));
    expectDrop(Buffer.from('hello'));
  });
});
