/**
 * Property tests of the parsers: random valid messages (any header spelling, compact forms, multi-valued
 * fields, any order, binary bodies) survive serialize → parse unchanged, over UDP and over a stream; and a
 * stream of them gives the same events however it is split, down to one byte per read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SipMessage } from '../../../src/sip/message/message.js';
import { serializeMessage } from '../../../src/sip/message/serialize.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import { messageArb } from '../arbitraries.js';
import { feedAll, summary } from './stream-harness.js';

/** What must survive: start line, headers (canonical names, values) and body. */
function shape(message: SipMessage): unknown {
  const start =
    message.kind === 'request' ? [message.method, message.uri.toString()] : [message.status, message.reason];
  const headers = [...message.headers.entries()].filter(([name]) => name !== 'Content-Length');
  return [message.kind, start, headers, message.body.toString('hex')];
}

test('parse(serialize(m)) = m over UDP, and serializing again gives the same bytes', () => {
  fc.assert(
    fc.property(messageArb, (message) => {
      const bytes = serializeMessage(message);
      const result = parseDatagram(bytes);
      if (result.kind !== 'message') assert.fail(`${JSON.stringify(result)}\n${bytes.toString()}`);
      assert.deepEqual(shape(result.message), shape(message));
      assert.equal(result.message.headers.get('Content-Length'), String(message.body.length));
      assert.deepEqual(serializeMessage(result.message), bytes);
    }),
    { numRuns: 300 },
  );
});

/** Between messages: nothing, a CRLF (skipped) or a CRLF CRLF (a ping). */
const gapArb = fc.constantFrom('', '\r\n', '\r\n\r\n');

const streamArb = fc.array(fc.tuple(gapArb, messageArb), { minLength: 1, maxLength: 5 });

/** Cut points: a few random ones, or every byte. */
function cut(bytes: Buffer, cuts: number[], everyByte: boolean): Buffer[] {
  if (everyByte) return Array.from(bytes, (b) => Buffer.from([b]));
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(from, point));
    from = point;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

test('a stream of messages gives the generated messages, whole or split anywhere', () => {
  fc.assert(
    fc.property(streamArb, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (stream, cuts, everyByte) => {
      const bytes = Buffer.concat(
        stream.flatMap(([gap, message]) => [Buffer.from(gap), serializeMessage(message)]),
      );
      const whole = feedAll([bytes]);
      const expected = stream.flatMap(([gap, message]) => [
        ...(gap === '\r\n\r\n' ? ['ping'] : []),
        shape(message),
      ]);
      assert.deepEqual(
        whole.map((event) => (event.type === 'message' ? shape(event.message) : event.type)),
        expected,
      );
      assert.deepEqual(summary(feedAll(cut(bytes, cuts, everyByte))), summary(whole));
    }),
    { numRuns: 150 },
  );
});
