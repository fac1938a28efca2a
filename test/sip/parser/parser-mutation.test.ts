/**
 * Mutation tests: valid messages (the RFC 4475 fixtures and generated ones) corrupted by byte flips,
 * truncations, huge lines, NULs, invalid UTF-8, stray line breaks, duplicated or dropped lines and bogus
 * Content-Lengths. The parsers must never throw, must answer only with the defined results, must give the
 * same answer however a stream is split, must hold no more than their limits, and must never wait forever:
 * more input always ends in a message or an error.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { serializeMessage } from '../../../src/sip/message/serialize.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import type { SipParseError } from '../../../src/sip/parser/errors.js';
import { parserConfig } from '../../../src/sip/parser/limits.js';
import type { SipStreamParser } from '../../../src/sip/parser/stream.js';
import { messageArb } from '../arbitraries.js';
import { feedAll, recorder, summary } from './stream-harness.js';

const FIXTURES = new URL('../fixtures/rfc4475/', import.meta.url);
const corpus: Buffer[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.dat'))
  .map((f) => readFileSync(new URL(f, FIXTURES)));

const LIMITS = { maxLineLength: 1024, maxHeaders: 60, maxHeaderBytes: 4096, maxBodyBytes: 2048 };
const config = parserConfig({ limits: LIMITS });

type Mutation = (bytes: Buffer) => Buffer;

const at = (bytes: Buffer, position: number): number => position % (bytes.length + 1);
const splice = (bytes: Buffer, position: number, remove: number, insert: Buffer): Buffer =>
  Buffer.concat([
    bytes.subarray(0, at(bytes, position)),
    insert,
    bytes.subarray(Math.min(bytes.length, at(bytes, position) + remove)),
  ]);

/** Line boundaries of the head, to mutate whole lines. */
function lineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (
    let i = bytes.indexOf('\r\n');
    i !== -1 && i < bytes.indexOf('\r\n\r\n') + 2;
    i = bytes.indexOf('\r\n', i + 2)
  )
    starts.push(i + 2);
  return starts;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(
    ([p, byte]): Mutation =>
      (b) => {
        const copy = Buffer.from(b);
        if (copy.length > 0) copy[p % copy.length] = byte;
        return copy;
      },
  ),
  fc.nat().map(
    (p): Mutation =>
      (b) =>
        b.subarray(0, at(b, p)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1000, max: 20_000 })).map(
    ([p, n]): Mutation =>
      (b) =>
        splice(b, p, 0, Buffer.alloc(n, 0x61)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })).map(
    ([p, n]): Mutation =>
      (b) =>
        splice(b, p, 0, Buffer.alloc(n, 0)),
  ),
  fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x98])).map(
    ([p, seq]): Mutation =>
      (b) =>
        splice(b, p, 0, Buffer.from(seq)),
  ),
  fc.tuple(fc.nat(), fc.constantFrom('\r', '\n', '\r\n', '\r\n\r\n', ' ', '\t', ':', ',', ';', '"', '<')).map(
    ([p, s]): Mutation =>
      (b) =>
        splice(b, p, 0, Buffer.from(s)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(
    ([p, n]): Mutation =>
      (b) =>
        splice(b, p, n, Buffer.alloc(0)),
  ),
  fc.nat().map(
    (p): Mutation =>
      (b) => {
        const starts = lineStarts(b);
        const start = starts[p % starts.length] ?? 0;
        const end = b.indexOf('\r\n', start);
        return end === -1 ? b : splice(b, start, 0, b.subarray(start, end + 2)); // duplicate a line
      },
  ),
  fc.nat().map(
    (p): Mutation =>
      (b) => {
        const starts = lineStarts(b);
        const start = starts[p % starts.length] ?? 0;
        const end = b.indexOf('\r\n', start);
        return end === -1 ? b : splice(b, start, end + 2 - start, Buffer.alloc(0)); // drop a line
      },
  ),
  fc.constantFrom('-1', '99999999999999999999', 'abc', '0', '1', '5000', '', ' 7 ', '1e3', '0x10').map(
    (value): Mutation =>
      (b) => {
        const text = b.toString('latin1');
        const replaced = /\r\n(Content-Length|l|L) *:[^\r]*/.test(text)
          ? text.replace(/\r\n(Content-Length|l|L) *:[^\r]*/, `\r\nContent-Length: ${value}`)
          : text.replace('\r\n\r\n', `\r\nContent-Length: ${value}\r\n\r\n`);
        return Buffer.from(replaced, 'latin1');
      },
  ),
);

const inputArb: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...corpus), messageArb.map(serializeMessage)),
    fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
  )
  .map(([bytes, mutations]) => mutations.reduce((b, mutate) => mutate(b), bytes));

/** Feeds up to 6 KiB without line ends; true once the parser has failed. */
function feedJunkUntilFailed(parser: SipStreamParser): boolean {
  for (let i = 0; i < 12; i++) {
    parser.feed(Buffer.alloc(512, 0x78));
    if (parser.failed) return true;
  }
  return false;
}

const STATUSES = new Set([400, 413, 414, 416, 505, 513]);

function checkError(error: SipParseError): void {
  assert.match(error.reason, /^[\x20-\x7e]+$/, 'a printable reason');
  if (error.kind === 'drop') return;
  assert.ok(STATUSES.has(error.status), String(error.status));
  // The partial request must be safe to answer from: the response is well-formed, nothing injected.
  const response = serializeMessage(createResponse(error.request, error.status, error.reason)).toString(
    'latin1',
  );
  const head = response.slice(0, response.indexOf('\r\n\r\n'));
  assert.equal(
    head.split('\r\n').length,
    error.request.headers.fields().filter((f) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(f.key))
      .length + 2,
  );
  assert.doesNotMatch(head.replace(/\r\n/g, ''), /[\r\n]/);
}

test('datagrams: only defined results; accepted messages survive serialize → parse', () => {
  fc.assert(
    fc.property(inputArb, (input) => {
      const result = parseDatagram(input, config);
      if (result.kind === 'error') checkError(result.error);
      else if (result.kind === 'message') {
        const again = parseDatagram(serializeMessage(result.message), config);
        assert.equal(again.kind, 'message', JSON.stringify(again));
      }
    }),
    { numRuns: 1500 },
  );
});

test('streams: only defined results, the same however split, bounded, and never waiting forever', () => {
  fc.assert(
    fc.property(inputArb, fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
      const whole = feedAll([input], config);
      for (const event of whole) if (event.type === 'error') checkError(event.error);
      const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
      const pieces = [0, ...points].map((from, i) => input.subarray(from, [...points, input.length][i]));
      assert.deepEqual(summary(feedAll(pieces, config)), summary(whole));

      const { parser, events } = recorder(config);
      parser.feed(input);
      assert.ok(parser.bufferedBytes <= Math.max(LIMITS.maxHeaderBytes, LIMITS.maxBodyBytes));
      if (parser.failed) return;
      // More input without line ends must end in an error: a body completes, then no head can.
      const before = events.length;
      assert.ok(
        feedJunkUntilFailed(parser),
        `still waiting after ${LIMITS.maxHeaderBytes + LIMITS.maxBodyBytes} more bytes`,
      );
      assert.ok(events.length > before);
    }),
    { numRuns: 500 },
  );
});
