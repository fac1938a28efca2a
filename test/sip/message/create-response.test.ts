/** Responses built from requests (RFC 3261 §8.2.6) and the default reason phrases. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getTo } from '../../../src/sip/headers/name-addr.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { reasonPhrase } from '../../../src/sip/message/reason-phrases.js';
import { serializeMessage } from '../../../src/sip/message/serialize.js';
import { expectReject, parseRequest, request } from '../helpers.js';

const invite = (): ReturnType<typeof parseRequest> =>
  parseRequest(
    request(
      [
        'Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKproxy',
        'v: SIP/2.0/UDP second.example.com;branch=z9hG4bK2, SIP/2.0/UDP third.example.com;branch=z9hG4bK3',
        'Contact: <sip:alice@192.0.2.1>',
        'Timestamp: 54',
        'Record-Route: <sip:proxy.example.com;lr>',
        'Content-Type: text/plain',
      ],
      'hello',
    ),
  );

describe('createResponse', () => {
  test('copies every Via in order, From, To, Call-ID and CSeq; nothing else; no body', () => {
    const response = createResponse(invite(), 200);
    assert.equal(response.status, 200);
    assert.equal(response.reason, 'OK');
    assert.deepEqual(
      response.headers.fields().map((f) => f.key),
      ['via', 'from', 'to', 'call-id', 'cseq', 'via', 'via'],
    );
    assert.deepEqual(
      response.headers.values('Via').map((v) => v.split(' ')[1]?.split(';')[0]),
      ['192.0.2.1:5060', 'proxy.example.com', 'second.example.com', 'third.example.com'],
    );
    assert.equal(response.body.length, 0);
    assert.match(serializeMessage(response).toString(), /\r\nContent-Length: 0\r\n\r\n$/);
  });

  test('adds the To tag when asked and the request had none; keeps an existing one', () => {
    const tagged = createResponse(invite(), 180, undefined, { toTag: 'abc' });
    assert.equal(getTo(tagged.headers)?.tag, 'abc');
    assert.equal(tagged.headers.get('To'), 'Bob <sip:bob@example.com>;tag=abc');
    const again = createResponse(tagged, 200, undefined, { toTag: 'other' });
    assert.equal(getTo(again.headers)?.tag, 'abc');
  });

  test('100 Trying: never a To tag, Timestamp copied (RFC 3261 §8.2.6.1)', () => {
    const trying = createResponse(invite(), 100, undefined, { toTag: 'abc' });
    assert.equal(getTo(trying.headers)?.tag, undefined);
    assert.equal(trying.headers.get('Timestamp'), '54');
    assert.equal(createResponse(invite(), 180).headers.has('Timestamp'), false);
  });

  test('a custom reason phrase', () => {
    assert.equal(createResponse(invite(), 403, 'Not Today').reason, 'Not Today');
  });

  test('answers a parse error from its partial request (RFC 4475 §3.1.2.16)', () => {
    const error = expectReject(request(['Content-Type: x'], '', 'OPTIONS sip:bob@example.com SIP/7.0'), 505);
    const response = createResponse(error.request, error.status, error.reason);
    const text = serializeMessage(response).toString();
    assert.match(text, /^SIP\/2.0 505 Version Not Supported\r\n/);
    assert.match(text, /\r\nVia: SIP\/2.0\/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9\r\n/);
    assert.match(text, /\r\nCall-ID: 3848276298220188511@192.0.2.1\r\n/);
  });
});

test('reason phrases: known codes, then the class', () => {
  assert.equal(reasonPhrase(416), 'Unsupported URI Scheme');
  assert.equal(reasonPhrase(513), 'Message Too Large');
  assert.equal(reasonPhrase(299), 'Success');
  assert.equal(reasonPhrase(499), 'Client Error');
});
