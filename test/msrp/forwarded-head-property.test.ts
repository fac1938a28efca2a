/**
 * The relay forwards a SEND's received header lines as they came when that gives the bytes it would
 * otherwise write out again (MsrpHead.verbatimHeaders, ForwardedSend). Property tests, over random heads
 * (header order, case of names, whitespace after the colon, non-ASCII values, malformed lines):
 * - the parser offers the received header bytes only when they are exactly `name: value` per entry;
 * - the forwarded head is byte for byte what the relay wrote before (passThroughHeaders + forwardedHead),
 *   and it parses to the received message with only the start line and the paths changed;
 * - the relay's 200 to a relayed SEND, made from a template per connection, is what response() writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseByteRange } from '../../src/msrp/headers.js';
import type { ContinuationFlag, Header, MsrpHead } from '../../src/msrp/message.js';
import { MsrpParser } from '../../src/msrp/parser.js';
import { readPaths } from '../../src/msrp/relay/checks.js';
import { ForwardedPaths } from '../../src/msrp/relay/forwarded-paths.js';
import { ForwardedSend } from '../../src/msrp/relay/forwarded-send.js';
import { SendOk } from '../../src/msrp/relay/send-ok.js';
import { UNTRACKED } from '../../src/msrp/relay/send-tracker.js';
import { forwardedHead, inForwardingOrder, passThroughHeaders, response } from '../../src/msrp/wire.js';

const RELAY = 'msrp://relay.example.com:2855/s3ss10n;tcp';
const B = 'msrp://b.example.com:9000/bbb;tcp';
const A = 'msrp://10.0.0.1:5000/aaa;tcp';

interface Line {
  readonly name: string;
  /** What stands between the colon and the value. */
  readonly gap: string;
  readonly value: string;
}

const lineArb = (name: fc.Arbitrary<string>): fc.Arbitrary<Line> =>
  fc.record({
    name,
    gap: fc.oneof({ weight: 6, arbitrary: fc.constant(' ') }, fc.constantFrom('', '  ', '\t', ' \t')),
    value: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('text/plain', '1-2048/2048', 'yes', 'no', 'abc123', 'x y ') },
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((v) => v.replace(/^[ \t]+/, '')),
      fc.constantFrom('é', 'naïve', '😀', 'a:b'),
    ),
  });

const otherNameArb = fc.constantFrom(
  'Message-ID',
  'Byte-Range',
  'Success-Report',
  'Failure-Report',
  'Content-Type',
  'content-type',
  'Content-ID',
  'Content-Description',
  'Content-Disposition',
  'X-Thing',
  'Use-Path',
  'To-Path',
  'from-path',
);

/** A SEND head: usually To-Path and From-Path first, Message-ID and Byte-Range present. */
const sendArb = fc
  .record({
    pathsFirst: fc.boolean(),
    toGap: fc.constantFrom(' ', ' ', ' ', '  '),
    fromGap: fc.constantFrom(' ', ' ', ' ', '\t'),
    others: fc.array(lineArb(otherNameArb), { maxLength: 7 }),
    malformed: fc.constantFrom(false, false, false, true),
    hasBody: fc.boolean(),
  })
  .map(({ pathsFirst, toGap, fromGap, others, malformed, hasBody }) => {
    const paths: Line[] = [
      { name: 'To-Path', gap: toGap, value: `${RELAY} ${B}` },
      { name: 'From-Path', gap: fromGap, value: A },
    ];
    const required: Line[] = [
      { name: 'Message-ID', gap: ' ', value: 'm1' },
      { name: 'Byte-Range', gap: ' ', value: '1-5/5' },
    ];
    const rest = [...required, ...others];
    const lines = pathsFirst ? [...paths, ...rest] : [...rest.slice(0, 1), ...paths, ...rest.slice(1)];
    const text = lines.map((line) => `${line.name}:${line.gap}${line.value}`);
    if (malformed) text.splice(1, 0, 'no colon here');
    return { head: `MSRP in1 SEND\r\n${text.join('\r\n')}\r\n`, hasBody, lines };
  });

function parseOne(bytes: Buffer): { head: MsrpHead; flag: ContinuationFlag; body: Buffer } {
  const heads: MsrpHead[] = [];
  const body: Buffer[] = [];
  const flags: ContinuationFlag[] = [];
  const parser = new MsrpParser({
    onHead: (head) => heads.push(head),
    onBody: (slice) => body.push(Buffer.from(slice)),
    onEnd: (flag) => flags.push(flag),
  });
  parser.feed(bytes);
  const [head] = heads;
  const [flag] = flags;
  assert.ok(head !== undefined && flag !== undefined, 'one whole message');
  return { head, flag, body: Buffer.concat(body) };
}

function message(headText: string, hasBody: boolean, tid: string): Buffer {
  return Buffer.from(
    hasBody ? `${headText}\r\nhello\r\n-------${tid}$\r\n` : `${headText}-------${tid}$\r\n`,
  );
}

const plain = (headers: readonly Header[]): Header[] => headers.map(({ name, value }) => ({ name, value }));

test('the parser offers the received header bytes exactly when they are `name: value` per entry', () => {
  fc.assert(
    fc.property(sendArb, ({ head: headText, hasBody, lines }) => {
      const { head } = parseOne(message(headText, hasBody, 'in1'));
      const canonical = head.headers.entries.map(({ name, value }) => `${name}: ${value}`).join('\r\n');
      const ascii = lines.every((line) => /^[\x20-\x7e]*$/.test(line.value));
      const regular = ascii && head.malformedLines === 0 && lines.every((line) => line.gap === ' ');
      if (regular) {
        assert.ok(head.verbatimHeaders !== undefined, 'offered for a regular ASCII head in one read');
        assert.equal(head.verbatimHeaders.toString('latin1'), canonical);
      } else {
        assert.equal(head.verbatimHeaders, undefined, 'not offered when a line is not `name: value`');
      }
    }),
    { numRuns: 3000 },
  );
});

test('not offered for a head split across reads (line mode)', () => {
  const bytes = message(`MSRP t SEND\r\nTo-Path: ${RELAY}\r\nFrom-Path: ${A}\r\n`, true, 't');
  const heads: MsrpHead[] = [];
  const parser = new MsrpParser({ onHead: (h) => heads.push(h), onBody: () => {}, onEnd: () => {} });
  parser.feed(bytes.subarray(0, 20));
  parser.feed(bytes.subarray(20));
  assert.equal(heads.length, 1);
  assert.equal(heads[0]?.verbatimHeaders, undefined);
});

test('a forwarded SEND head is the bytes the relay wrote before, and parses to the same message with only the paths changed', () => {
  let verbatim = 0;
  fc.assert(
    fc.property(sendArb, ({ head: headText, hasBody }) => {
      const { head } = parseOne(message(headText, hasBody, 'in1'));
      // What the relay answers with an error before forwarding (a later To-Path that is no path, a
      // Byte-Range that does not parse) is not forwarded at all.
      const read = readPaths(head, undefined);
      const range = parseByteRange(head.headers.get('Byte-Range') ?? '');
      fc.pre(read.kind === 'ok' && range !== undefined);
      const paths = ForwardedPaths.of(read.paths, undefined);
      const send = new ForwardedSend('out9', paths, head, range, UNTRACKED, true);
      if (head.verbatimHeaders !== undefined && inForwardingOrder(head.headers.entries)) verbatim++;
      const forwarded = send.takeHead();

      const toPath = B;
      const fromPath = `${RELAY} ${A}`;
      const rewritten = forwardedHead('MSRP out9 SEND', toPath, fromPath, passThroughHeaders(head), hasBody);
      assert.equal(forwarded.toString('utf8'), rewritten, 'byte for byte what passThroughHeaders gives');

      const closing = hasBody ? 'hello\r\n-------out9$\r\n' : '-------out9$\r\n';
      const again = parseOne(Buffer.concat([forwarded, Buffer.from(closing)]));
      assert.equal(again.head.tid, 'out9');
      assert.equal(again.head.method, 'SEND');
      assert.equal(again.head.hasBody, hasBody);
      assert.equal(again.flag, '$');
      if (hasBody) assert.equal(again.body.toString(), 'hello');
      assert.deepEqual(plain(again.head.headers.entries), [
        { name: 'To-Path', value: toPath },
        { name: 'From-Path', value: fromPath },
        ...plain(passThroughHeaders(head)),
      ]);
    }),
    { numRuns: 3000 },
  );
  assert.ok(verbatim > 30, `the received bytes were forwarded in ${verbatim} of the runs`);
});

test('a regular head is forwarded with its received header bytes, and a later part of it rebuilt', () => {
  const headText =
    `MSRP in1 SEND\r\nTo-Path: ${RELAY} ${B}\r\nFrom-Path: ${A}\r\nMessage-ID: m1\r\n` +
    'Byte-Range: 1-10/10\r\nContent-Type: text/plain\r\n';
  const { head } = parseOne(message(headText, true, 'in1'));
  const read = readPaths(head, undefined);
  assert.ok(read.kind === 'ok');
  const range = parseByteRange('1-10/10');
  assert.ok(range !== undefined);
  const send = new ForwardedSend(
    'out1',
    ForwardedPaths.of(read.paths, undefined),
    head,
    range,
    UNTRACKED,
    true,
  );
  assert.equal(
    send.takeHead().toString(),
    `MSRP out1 SEND\r\nTo-Path: ${B}\r\nFrom-Path: ${RELAY} ${A}\r\nMessage-ID: m1\r\n` +
      'Byte-Range: 1-10/10\r\nContent-Type: text/plain\r\n\r\n',
  );
  send.received(4);
  send.split('out2');
  assert.equal(
    send.takeHead().toString(),
    `MSRP out2 SEND\r\nTo-Path: ${B}\r\nFrom-Path: ${RELAY} ${A}\r\nMessage-ID: m1\r\n` +
      'Byte-Range: 5-10/10\r\nContent-Type: text/plain\r\n\r\n',
    'the second part carries its own Byte-Range start',
  );
});

test('a session reuses the forwarded paths of the same received paths', () => {
  const { head } = parseOne(
    message(`MSRP t SEND\r\nTo-Path: ${RELAY} ${B}\r\nFrom-Path: ${A}\r\n`, false, 't'),
  );
  const read = readPaths(head, undefined);
  assert.ok(read.kind === 'ok');
  const first = ForwardedPaths.of(read.paths, undefined);
  assert.equal(ForwardedPaths.of(read.paths, first), first);
  assert.notEqual(ForwardedPaths.of({ ...read.paths, to: [...read.paths.to] }, first), first);
});

test('the 200 to a relayed SEND is the bytes response() writes, for any tid and paths', () => {
  const tidArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.\-+%=]{0,31}$/);
  const userArb = fc.constantFrom('', 'bob@', 'zoë@', 'x%20y@');
  fc.assert(
    fc.property(tidArb, userArb, userArb, (tid, toUser, fromUser) => {
      const relay = `msrp://${toUser}relay.example.com:2855/s1;tcp`;
      const from = `msrp://${fromUser}10.0.0.1:5000/aaa;tcp`;
      const { head } = parseOne(
        message(`MSRP ${tid} SEND\r\nTo-Path: ${relay} ${B}\r\nFrom-Path: ${from}\r\n`, false, tid),
      );
      const read = readPaths(head, undefined);
      fc.pre(read.kind === 'ok');
      const ok = SendOk.of(read.paths, undefined);
      assert.deepEqual(ok.answer(tid), response(head, 200, 'OK', from, relay));
      assert.equal(SendOk.of(read.paths, ok), ok, 'kept for the same paths');
    }),
    { numRuns: 1000 },
  );
});
