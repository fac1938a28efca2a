/**
 * Unit tests of the streaming MSRP parser (relay spec §1.1, §1.4, §1.6): start lines, headers, limits,
 * end-lines, body framing (including end-line look-alikes and binary bodies), pipelining, and pause/resume.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContinuationFlag, MsrpHead } from '../../src/msrp/message.js';
import { MsrpParser } from '../../src/msrp/parser.js';
import {
  DEFAULT_PARSER_LIMITS,
  MsrpProtocolError,
  type ParserLimits,
  type ProtocolErrorKind,
} from '../../src/msrp/parser-types.js';

type Event =
  | { readonly type: 'head'; readonly head: MsrpHead }
  | { readonly type: 'body'; readonly data: Buffer }
  | { readonly type: 'end'; readonly flag: ContinuationFlag };

/** A parser whose events are recorded; body slices are copied, since the parser hands out views. */
function recorder(limits?: ParserLimits): { parser: MsrpParser; events: Event[] } {
  const events: Event[] = [];
  const parser = new MsrpParser(
    {
      onHead: (head) => events.push({ type: 'head', head }),
      onBody: (slice) => events.push({ type: 'body', data: Buffer.from(slice) }),
      onEnd: (flag) => events.push({ type: 'end', flag }),
    },
    limits,
  );
  return { parser, events };
}

const bytes = (input: string | Buffer): Buffer =>
  typeof input === 'string' ? Buffer.from(input, 'latin1') : input;

/** Parses `input` fed as the given pieces and returns the events. */
function parse(pieces: readonly (string | Buffer)[], limits?: ParserLimits): Event[] {
  const { parser, events } = recorder(limits);
  for (const piece of pieces) parser.feed(bytes(piece));
  return events;
}

/** Every way of feeding a message that matters for a streaming parser: whole, byte by byte, and two pieces. */
function splits(input: string | Buffer): Buffer[][] {
  const all = bytes(input);
  const ways: Buffer[][] = [[all], Array.from(all, (byte) => Buffer.from([byte]))];
  for (let cut = 1; cut < all.length; cut++) ways.push([all.subarray(0, cut), all.subarray(cut)]);
  return ways;
}

interface Message {
  readonly head: MsrpHead;
  readonly body: Buffer;
  readonly flag: ContinuationFlag;
}

/** Groups events into messages (head, concatenated body, flag), checking that they come in that order. */
function messages(events: readonly Event[]): Message[] {
  const result: Message[] = [];
  let head: MsrpHead | undefined;
  let body: Buffer[] = [];
  for (const event of events) {
    if (event.type === 'head') {
      assert.equal(head, undefined, 'onHead while a message is open');
      head = event.head;
      body = [];
    } else if (event.type === 'body') {
      assert.ok(head !== undefined, 'onBody outside a message');
      assert.ok(head.hasBody, 'onBody for a message without a body section');
      assert.ok(event.data.length > 0, 'empty body slice');
      body.push(event.data);
    } else {
      assert.ok(head !== undefined, 'onEnd outside a message');
      result.push({ head, body: Buffer.concat(body), flag: event.flag });
      head = undefined;
    }
  }
  assert.equal(head, undefined, 'a message was left open');
  return result;
}

function only(events: readonly Event[]): Message {
  const list = messages(events);
  assert.equal(list.length, 1, `expected one message, got ${list.length}`);
  return list[0]!;
}

function assertProtocolError(
  kind: ProtocolErrorKind,
  pieces: readonly (string | Buffer)[],
  limits?: ParserLimits,
): void {
  assert.throws(
    () => parse(pieces, limits),
    (error: unknown) => error instanceof MsrpProtocolError && error.kind === kind,
  );
}

const AUTH =
  'MSRP a1b2c3d4 AUTH\r\nTo-Path: msrp://example.com;tcp\r\nFrom-Path: msrp://127.0.0.1:40001/asess;tcp\r\n-------a1b2c3d4$\r\n';

function send(tid: string, body: Buffer | string, flag: ContinuationFlag = '$'): Buffer {
  return Buffer.concat([
    bytes(
      `MSRP ${tid} SEND\r\nTo-Path: msrp://r:1/s;tcp\r\nFrom-Path: msrp://a:2/c;tcp\r\nMessage-ID: m1\r\n`,
    ),
    bytes('Byte-Range: 1-*/*\r\nContent-Type: application/octet-stream\r\n\r\n'),
    bytes(body),
    bytes(`\r\n-------${tid}${flag}\r\n`),
  ]);
}

describe('start lines', () => {
  test('a request: tid, method, headers in order, no body', () => {
    for (const pieces of splits(AUTH)) {
      const message = only(parse(pieces));
      assert.equal(message.head.tid, 'a1b2c3d4');
      assert.equal(message.head.method, 'AUTH');
      assert.equal(message.head.status, undefined);
      assert.equal(message.head.comment, undefined);
      assert.equal(message.head.hasBody, false);
      assert.equal(message.head.malformedLines, 0);
      assert.deepEqual(message.head.headers.entries, [
        { name: 'To-Path', value: 'msrp://example.com;tcp' },
        { name: 'From-Path', value: 'msrp://127.0.0.1:40001/asess;tcp' },
      ]);
      assert.equal(message.flag, '$');
      assert.equal(message.body.length, 0);
    }
  });

  test('a response with a comment keeps the whole comment, spaces and colons included', () => {
    const text =
      'MSRP e5f6a7b8 403 Unauthorized: Login failed: Incorrect password\r\nTo-Path: msrp://a:1/x;tcp\r\n' +
      'From-Path: msrp://b:2;tcp\r\n-------e5f6a7b8$\r\n';
    for (const pieces of splits(text)) {
      const { head } = only(parse(pieces));
      assert.equal(head.tid, 'e5f6a7b8');
      assert.equal(head.method, undefined);
      assert.equal(head.status, 403);
      assert.equal(head.comment, 'Unauthorized: Login failed: Incorrect password');
    }
  });

  test('a response without a comment', () => {
    const { head } = only(parse(['MSRP abcd1234 200\r\nTo-Path: msrp://a:1/x;tcp\r\n-------abcd1234$\r\n']));
    assert.equal(head.status, 200);
    assert.equal(head.comment, undefined);
    assert.equal(head.method, undefined);
  });

  test('a status code is exactly three digits; anything else that is not a method is an error', () => {
    assertProtocolError('invalid-start-line', ['MSRP abcd1234 20x\r\n']);
    assertProtocolError('invalid-start-line', ['MSRP abcd1234 2000\r\n']);
    assertProtocolError('invalid-start-line', ['MSRP abcd1234 +12\r\n']);
    assertProtocolError('invalid-start-line', ['MSRP abcd1234 S3ND\r\n']);
  });

  test('blank lines and garbage before a message are skipped (resync), bare-LF lines included', () => {
    const garbage =
      '\r\n\r\nHELLO WORLD\r\nfoo\r\n\r\nMSRP\r\nMSRPX abcd AUTH\r\nMSRP onlyonetoken\r\njunk\nmore\r\n';
    for (const pieces of splits(garbage + AUTH)) {
      const message = only(parse(pieces));
      assert.equal(message.head.tid, 'a1b2c3d4');
      assert.equal(message.head.method, 'AUTH');
    }
  });

  test('undecodable garbage that is not a start line is skipped too', () => {
    const message = only(parse([Buffer.from([0xff, 0xfe, 0x0d, 0x0a]), AUTH]));
    assert.equal(message.head.tid, 'a1b2c3d4');
  });

  test('invalid UTF-8 in a start line is a protocol error of kind invalid-utf8', () => {
    const line = Buffer.concat([bytes('MSRP '), Buffer.from([0xff, 0xfe]), bytes(' AUTH\r\n')]);
    assertProtocolError('invalid-utf8', [line]);
    assertProtocolError(
      'invalid-utf8',
      Array.from(line, (byte) => Buffer.from([byte])),
    );
  });

  test('after a protocol error all further input is ignored', () => {
    const { parser, events } = recorder();
    assert.throws(() => {
      parser.feed(Buffer.concat([bytes('MSRP '), Buffer.from([0xc3, 0x28]), bytes(' AUTH\r\n')]));
    }, MsrpProtocolError);
    parser.feed(bytes(AUTH));
    assert.deepEqual(events, []);
  });

  test('transaction ids: the RFC charset is accepted, up to 64 characters', () => {
    for (const tid of ['a1b2', 'A.b-c+d%e=f', '0000', 'x'.repeat(32), 'y'.repeat(64)]) {
      const { head } = only(parse([`MSRP ${tid} SEND\r\nTo-Path: a\r\n-------${tid}$\r\n`]));
      assert.equal(head.tid, tid);
    }
  });

  test('a bad transaction id is a protocol error of kind invalid-transaction-id', () => {
    for (const tid of ['ab_cd', '-abcd', '.abcd', 'ab/cd', 'ab:cd', 'z'.repeat(65), 'é1234']) {
      assertProtocolError('invalid-transaction-id', [Buffer.from(`MSRP ${tid} SEND\r\n`, 'utf8')]);
    }
    assertProtocolError('invalid-transaction-id', ['MSRP  SEND\r\n']); // empty tid
  });
});

describe('headers', () => {
  const head = (...lines: string[]): MsrpHead =>
    only(parse([`MSRP abcd1234 SEND\r\n${lines.map((line) => `${line}\r\n`).join('')}-------abcd1234$\r\n`]))
      .head;

  test('look-ups are case-insensitive; names keep their received spelling and order', () => {
    const h = head('to-path: msrp://a:1/x;tcp', 'FROM-PATH: msrp://b:2/y;tcp', 'Message-Id: m1');
    assert.equal(h.headers.get('To-Path'), 'msrp://a:1/x;tcp');
    assert.equal(h.headers.get('from-path'), 'msrp://b:2/y;tcp');
    assert.equal(h.headers.get('MESSAGE-ID'), 'm1');
    assert.equal(h.headers.has('Message-ID'), true);
    assert.equal(h.headers.get('Byte-Range'), undefined);
    assert.equal(h.headers.has('Byte-Range'), false);
    assert.deepEqual(
      h.headers.entries.map((entry) => entry.name),
      ['to-path', 'FROM-PATH', 'Message-Id'],
    );
  });

  test('the last of duplicated headers wins, all are kept in entries', () => {
    const h = head('Expires: 10', 'expires: 20');
    assert.equal(h.headers.get('Expires'), '20');
    assert.equal(h.headers.entries.length, 2);
  });

  test('": " inside a value is kept (msrprelay dropped such lines)', () => {
    const h = head('Content-Description: Note: hi: there', 'X-Url: http://example.com:80/a');
    assert.equal(h.headers.get('Content-Description'), 'Note: hi: there');
    assert.equal(h.headers.get('X-Url'), 'http://example.com:80/a');
    assert.equal(h.malformedLines, 0);
  });

  test('UTF-8 values are decoded, also when a character is split between reads', () => {
    const text = 'MSRP abcd1234 SEND\r\nX-Name: Jäsøn 😀\r\n-------abcd1234$\r\n';
    for (const pieces of splits(Buffer.from(text, 'utf8'))) {
      assert.equal(only(parse(pieces)).head.headers.get('X-Name'), 'Jäsøn 😀');
    }
  });

  test('malformed header lines are counted in malformedLines and left out', () => {
    const h = head(
      'To-Path: msrp://a:1/x;tcp',
      'NoColonHere',
      ': no name',
      'Bad Name: x',
      'Con\rtent-Type: text/plain',
      'Tab\there: x',
      'From-Path: msrp://b:2/y;tcp',
      "X-Ok.!%*_+`'~-9: token characters are fine",
    );
    assert.equal(h.malformedLines, 5);
    assert.deepEqual(
      h.headers.entries.map((entry) => entry.name),
      ['To-Path', 'From-Path', "X-Ok.!%*_+`'~-9"],
    );
  });

  test('a look-alike end-line for another tid in the header section is a malformed line, not the end', () => {
    const events = parse(['MSRP abcd1234 SEND\r\nA: b\r\n-------other123$\r\n-------abcd1234!\r\n']);
    assert.equal(events.length, 0, 'the message must still be open');
    const more = parse(['MSRP abcd1234 SEND\r\nA: b\r\n-------other123$\r\n-------abcd1234+\r\n']);
    const message = only(more);
    assert.equal(message.head.malformedLines, 1);
    assert.equal(message.flag, '+');
  });

  test('a line that only ends in the tid and flag is no end-line, read whole or a byte at a time', () => {
    // Found by the relay mutation test (seed 7): the whole-head fast path checked the tid, not the dashes.
    const lookAlike = 'MSRP abcd1234 AUTH\r\nTo-Path: msrp://a.example;tcp\r\n-x-----abcd1234$\r\n';
    for (const pieces of splits(lookAlike)) {
      assert.deepEqual(messages(parse(pieces)), [], 'the message must still be open');
    }
    const invalid = Buffer.concat([
      bytes('MSRP abcd1234 AUTH\r\nTo-Path: msrp://a.example;tcp\r\n-'),
      Buffer.from([0xea]),
      bytes('-----abcd1234$\r\n'),
    ]);
    for (const pieces of splits(invalid)) assertProtocolError('invalid-utf8', pieces);
  });

  test('invalid UTF-8 in a header line is a protocol error of kind invalid-utf8', () => {
    assertProtocolError('invalid-utf8', [
      Buffer.concat([bytes('MSRP abcd1234 SEND\r\nX-Bad: '), Buffer.from([0xed, 0xa0, 0x80]), bytes('\r\n')]),
    ]);
  });
});

describe('line limits', () => {
  const limits: ParserLimits = { maxLineLength: 100, maxHeaderLines: 3, maxTidLength: 64 };

  test('the defaults are 16 KiB lines and 64 header lines', () => {
    assert.equal(DEFAULT_PARSER_LIMITS.maxLineLength, 16384);
    assert.equal(DEFAULT_PARSER_LIMITS.maxHeaderLines, 64);
  });

  test('a header line of exactly the limit is accepted; one byte more is line-too-long', () => {
    const ok = `X: ${'a'.repeat(97)}`;
    assert.equal(ok.length, 100);
    for (const pieces of splits(`MSRP abcd1234 SEND\r\n${ok}\r\n-------abcd1234$\r\n`)) {
      assert.equal(only(parse(pieces, limits)).head.headers.get('X'), 'a'.repeat(97));
    }
    assertProtocolError('line-too-long', [`MSRP abcd1234 SEND\r\n${ok}a\r\n`], limits);
  });

  test('an over-long line is detected before its CRLF arrives (no unbounded buffering)', () => {
    const { parser, events } = recorder(limits);
    parser.feed(bytes('MSRP abcd1234 SEND\r\nX: '));
    assert.throws(
      () => {
        for (let i = 0; i < 200; i++) parser.feed(bytes('a'));
      },
      (error: unknown) => error instanceof MsrpProtocolError && error.kind === 'line-too-long',
    );
    assert.deepEqual(events, []);
  });

  test('over-long garbage before a start line is line-too-long too', () => {
    assertProtocolError('line-too-long', ['x'.repeat(300)], limits);
  });

  test('the default limit: a 20000-byte header line is rejected', () => {
    assertProtocolError('line-too-long', [`MSRP abcd1234 AUTH\r\nX-Pad: ${'a'.repeat(20000)}\r\n`]);
  });

  test('header lines up to the limit are accepted, one more is too-many-headers; the end-line does not count', () => {
    const three = 'MSRP abcd1234 SEND\r\nA: 1\r\nB: 2\r\nC: 3\r\n-------abcd1234$\r\n';
    assert.equal(only(parse([three], limits)).head.headers.entries.length, 3);
    assertProtocolError(
      'too-many-headers',
      ['MSRP abcd1234 SEND\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n'],
      limits,
    );
    const defaults = Array.from({ length: 65 }, (_, i) => `X-${i}: v\r\n`).join('');
    assertProtocolError('too-many-headers', [`MSRP abcd1234 SEND\r\n${defaults}`]);
  });
});

describe('end-lines', () => {
  test('a body-less message ends with its end-line, for each flag', () => {
    for (const flag of ['$', '+', '#'] as const) {
      for (const pieces of splits(`MSRP abcd1234 SEND\r\nA: b\r\n-------abcd1234${flag}\r\n`)) {
        const message = only(parse(pieces));
        assert.equal(message.flag, flag);
        assert.equal(message.head.hasBody, false);
      }
    }
  });

  test('a body ends before CRLF + end-line, for each flag', () => {
    for (const flag of ['$', '+', '#'] as const) {
      for (const pieces of splits(send('abcd1234', 'hello\r\nworld', flag))) {
        const message = only(parse(pieces));
        assert.equal(message.flag, flag);
        assert.equal(message.head.hasBody, true);
        assert.equal(message.body.toString('latin1'), 'hello\r\nworld');
        assert.equal(message.head.headers.get('Content-Type'), 'application/octet-stream');
      }
    }
  });

  test('an empty body after Content-Type: with its own CRLF before the end-line', () => {
    const text = 'MSRP abcd1234 SEND\r\nContent-Type: text/plain\r\n\r\n\r\n-------abcd1234$\r\n';
    for (const pieces of splits(text)) {
      const message = only(parse(pieces));
      assert.equal(message.head.hasBody, true);
      assert.equal(message.body.length, 0);
      assert.equal(message.flag, '$');
    }
  });

  test('an empty body after Content-Type: end-line directly after the empty line', () => {
    const text = 'MSRP abcd1234 SEND\r\nContent-Type: text/plain\r\n\r\n-------abcd1234+\r\n';
    for (const pieces of splits(text)) {
      const message = only(parse(pieces));
      assert.equal(message.head.hasBody, true);
      assert.equal(message.body.length, 0);
      assert.equal(message.flag, '+');
    }
  });

  test('a body consisting of CRLFs only', () => {
    for (const body of ['\r\n', '\r\n\r\n', '\r', '\n']) {
      for (const pieces of splits(send('abcd1234', body))) {
        assert.equal(only(parse(pieces)).body.toString('latin1'), body);
      }
    }
  });

  test('end-line look-alikes in the body are body bytes', () => {
    const tid = 'abcd1234';
    const lookAlikes = [
      '\r\n-------othertid$\r\n',
      `\r\n-------${tid}X`,
      `\r\n-------${tid}X\r\n`,
      `\r\n-------${tid}$X`,
      `\r\n-------${tid}$\rX`,
      `\r\n-------${tid}$\n`,
      `\r\n-------${tid}0$\r\n`,
      `\r\n-------abcd123$\r\n`,
      `-------${tid}`,
      `\n-------${tid}$\r\n`,
      '\r\n------',
      '\r\n-------',
      `\r\n--------${tid}$\r\n`,
    ];
    for (const lookAlike of lookAlikes) {
      for (const body of [`a${lookAlike}`, `a${lookAlike}z`, `${lookAlike}z`, `x\r\n-------${lookAlike}`]) {
        for (const pieces of splits(send(tid, body))) {
          const message = only(parse(pieces));
          assert.equal(message.body.toString('latin1'), body, `body ${JSON.stringify(body)}`);
          assert.equal(message.flag, '$');
        }
      }
    }
  });

  test('a body whose end is a prefix of the end-line is held back, then released as body', () => {
    const tid = 'abcd1234';
    const { parser, events } = recorder();
    parser.feed(bytes(`MSRP ${tid} SEND\r\nContent-Type: t\r\n\r\nhello\r\n-------${tid}`));
    const delivered = () =>
      Buffer.concat(events.flatMap((event) => (event.type === 'body' ? [event.data] : []))).toString(
        'latin1',
      );
    assert.equal(delivered(), 'hello', 'the possible end-line start must not leak into the body');
    parser.feed(bytes('X'));
    assert.equal(delivered(), `hello\r\n-------${tid}X`);
    parser.feed(bytes(`\r\n-------${tid}#\r\n`));
    const message = only(events);
    assert.equal(message.body.toString('latin1'), `hello\r\n-------${tid}X`);
    assert.equal(message.flag, '#');
  });

  test('binary bodies with NUL, CR, LF and every byte value arrive byte-identical', () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bodies = [
      every,
      Buffer.from([0, 0, 0]),
      Buffer.from([0x0d, 0x0a, 0x00, 0x0d, 0x0d, 0x0a, 0x0a, 0x2d, 0x2d, 0x0d]),
      Buffer.concat([every, bytes('\r\n----'), Buffer.from([0, 0xff, 0x0d]), every.subarray().reverse()]),
    ];
    for (const body of bodies) {
      for (const pieces of splits(send('bin01234', body))) {
        const message = only(parse(pieces));
        assert.ok(message.body.equals(body));
      }
    }
  });

  test('body slices are delivered without waiting for the end-line (streaming)', () => {
    const { parser, events } = recorder();
    parser.feed(bytes('MSRP abcd1234 SEND\r\nContent-Type: t\r\n\r\n'));
    parser.feed(Buffer.alloc(100_000, 0x41));
    const delivered = events.reduce((sum, event) => sum + (event.type === 'body' ? event.data.length : 0), 0);
    assert.equal(delivered, 100_000);
  });
});

describe('pipelining', () => {
  test('several messages in one buffer give their events in order', () => {
    const response =
      'MSRP resp0001 200 OK\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://r:2/s;tcp\r\n-------resp0001$\r\n';
    const all = Buffer.concat([
      bytes(AUTH),
      send('send0001', 'first\r\n-------send0002$\r\n', '+'),
      bytes('\r\n'),
      send('send0002', Buffer.from([0, 13, 10, 0])),
      bytes(response),
      bytes(AUTH),
    ]);
    for (const pieces of splits(all)) {
      const list = messages(parse(pieces));
      assert.deepEqual(
        list.map((m) => [m.head.tid, m.head.method ?? m.head.status, m.flag]),
        [
          ['a1b2c3d4', 'AUTH', '$'],
          ['send0001', 'SEND', '+'],
          ['send0002', 'SEND', '$'],
          ['resp0001', 200, '$'],
          ['a1b2c3d4', 'AUTH', '$'],
        ],
      );
      assert.equal(list[1]!.body.toString('latin1'), 'first\r\n-------send0002$\r\n');
      assert.ok(list[2]!.body.equals(Buffer.from([0, 13, 10, 0])));
    }
  });

  test('inMessage is true between a start line and its end-line', () => {
    const { parser } = recorder();
    assert.equal(parser.inMessage, false);
    parser.feed(bytes('MSRP abcd1234 SEND\r\n'));
    assert.equal(parser.inMessage, true);
    parser.feed(bytes('Content-Type: t\r\n\r\nbody'));
    assert.equal(parser.inMessage, true);
    parser.feed(bytes('\r\n-------abcd1234$\r\n'));
    assert.equal(parser.inMessage, false);
  });
});

describe('pause and resume', () => {
  const two = Buffer.concat([bytes(AUTH), send('send0001', 'payload')]);

  test('pausing in onEnd stops mid-buffer; input fed while paused waits; resume continues in order', () => {
    const events: string[] = [];
    const parser: MsrpParser = new MsrpParser({
      onHead: (head) => events.push(`head ${head.tid}`),
      onBody: (slice) => events.push(`body ${slice.toString('latin1')}`),
      onEnd: (flag) => {
        events.push(`end ${flag}`);
        parser.pause();
      },
    });
    parser.feed(two);
    assert.deepEqual(events, ['head a1b2c3d4', 'end $']);
    assert.equal(parser.isPaused, true);
    parser.feed(bytes(AUTH)); // queued behind the rest of the first buffer
    assert.deepEqual(events, ['head a1b2c3d4', 'end $']);
    parser.resume();
    assert.deepEqual(events, ['head a1b2c3d4', 'end $', 'head send0001', 'body payload', 'end $']);
    assert.equal(parser.isPaused, true);
    parser.resume();
    assert.deepEqual(events.slice(5), ['head a1b2c3d4', 'end $']);
    parser.resume(); // nothing pending: no events, no error
    assert.equal(events.length, 7);
    assert.equal(parser.isPaused, false);
  });

  test('pause with nothing pending, then resume, leaves later input unaffected', () => {
    const { parser, events } = recorder();
    parser.pause();
    parser.feed(bytes(AUTH.slice(0, 10)));
    assert.deepEqual(events, []);
    parser.resume();
    parser.feed(bytes(AUTH.slice(10)));
    assert.equal(only(events).head.tid, 'a1b2c3d4');
  });

  // The documented contract: "Stops delivering events after the current one".
  test('pausing in onHead of a body-less message delays its onEnd until resume', () => {
    const events: string[] = [];
    const parser: MsrpParser = new MsrpParser({
      onHead: (head) => {
        events.push(`head ${head.tid}`);
        parser.pause();
      },
      onBody: () => events.push('body'),
      onEnd: (flag) => events.push(`end ${flag}`),
    });
    parser.feed(bytes(AUTH));
    assert.deepEqual(events, ['head a1b2c3d4'], 'no event may follow the one that paused');
    parser.resume();
    assert.deepEqual(events, ['head a1b2c3d4', 'end $']);
  });

  test('pausing in onBody delays the following onEnd until resume', () => {
    const events: string[] = [];
    const parser: MsrpParser = new MsrpParser({
      onHead: (head) => events.push(`head ${head.tid}`),
      onBody: (slice) => {
        events.push(`body ${slice.toString('latin1')}`);
        parser.pause();
      },
      onEnd: (flag) => events.push(`end ${flag}`),
    });
    parser.feed(send('send0001', 'payload'));
    assert.deepEqual(events, ['head send0001', 'body payload'], 'no event may follow the one that paused');
    parser.resume();
    assert.deepEqual(events, ['head send0001', 'body payload', 'end $']);
  });
});
