/** Messages as bytes (RFC 3261 §7). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { serializeHead, serializeMessage } from '../../../src/sip/message/serialize.js';
import { parseUri } from '../../../src/sip/uri.js';
import { parseMessage, wire } from '../helpers.js';

const uri = parseUri('sip:bob@example.com');
if (uri === undefined) throw new Error('test URI');

test('start line, canonical names in received order, Content-Length, empty line, body', () => {
  const body = Buffer.from([0, 1, 2, 13, 10, 13, 10, 255]);
  const headers = SipHeaders.of([
    ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
    ['f', '<sip:a@x>;tag=1'],
    ['MaX-fOrWaRdS', '70'],
    ['X-Custom-Thing', 'kept as spelled'],
    ['c', 'application/octet-stream'],
  ]);
  const bytes = serializeMessage(new SipRequest({ method: 'MESSAGE', uri, headers, body }));
  const head =
    'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\n' +
    'Max-Forwards: 70\r\nX-Custom-Thing: kept as spelled\r\nContent-Type: application/octet-stream\r\nContent-Length: 8\r\n\r\n';
  assert.equal(bytes.subarray(0, bytes.length - 8).toString('latin1'), head);
  assert.deepEqual(bytes.subarray(bytes.length - 8), body);
});

test('Content-Length is corrected in place and duplicates dropped', () => {
  const headers = SipHeaders.of([
    ['l', '999'],
    ['Subject', 'x'],
    ['Content-Length', '5'],
  ]);
  const head = serializeHead(
    new SipResponse({ status: 200, reason: 'OK', headers, body: Buffer.from('héllo') }),
  );
  assert.equal(head, 'SIP/2.0 200 OK\r\nContent-Length: 6\r\nSubject: x\r\n\r\n');
});

test('UTF-8 in the head is counted in bytes; the body is not touched', () => {
  const response = new SipResponse({ status: 200, reason: 'Très bien', body: Buffer.from('ü') });
  const bytes = serializeMessage(response);
  assert.equal(bytes.toString('utf8'), 'SIP/2.0 200 Très bien\r\nContent-Length: 2\r\n\r\nü');
});

test('a parsed message serializes to a message that parses to the same thing', () => {
  const original = wire(
    'INVITE sip:bob@biloxi.com SIP/2.0\nv: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\nMax-Forwards: 70\n' +
      't: Bob <sip:bob@biloxi.com>\nf: Alice <sip:alice@atlanta.com>;tag=1928301774\ni: a84b4c76e66710\nCSeq: 314159 INVITE\n' +
      'Subject: folded\n  over two lines\nl: 4\n\nbody',
  );
  const first = parseMessage(original);
  const text = serializeMessage(first).toString();
  assert.match(text, /\r\nSubject: folded over two lines\r\n/);
  assert.match(text, /\r\nCall-ID: a84b4c76e66710\r\n/);
  const second = parseMessage(Buffer.from(text));
  assert.deepEqual([...second.headers.entries()], [...first.headers.entries()]);
  assert.deepEqual(second.body, first.body);
});

test('a start line with a line break is refused rather than written', () => {
  assert.throws(
    () => serializeMessage(new SipResponse({ status: 200, reason: 'OK\r\nVia: evil' })),
    TypeError,
  );
  assert.throws(() => serializeMessage(new SipRequest({ method: 'A\nB', uri })), TypeError);
});
