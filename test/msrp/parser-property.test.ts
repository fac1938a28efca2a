/**
 * Property tests of the streaming MSRP parser: random sequences of valid messages (requests with and without
 * bodies, binary bodies full of CRLFs, dashes and partial end-lines of their own tid, responses, random
 * flags, resync garbage between messages), serialized and fed in random pieces (down to single bytes).
 * The reference model is the generator's own message list: the parser must report the same heads, the same
 * body bytes, the same flags, in the same order — and report each event as soon as its bytes are complete,
 * holding back no more than one end-line's worth of body (relay spec §1.6).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ContinuationFlag, Header, MsrpHead } from '../../src/msrp/message.js';
import { MsrpParser } from '../../src/msrp/parser.js';

interface GeneratedMessage {
  readonly tid: string;
  readonly method: string | undefined;
  readonly status: number | undefined;
  readonly comment: string | undefined;
  readonly headers: readonly Header[];
  /** undefined: no body section. */
  readonly body: Buffer | undefined;
  /** For an empty body: end-line right after the empty line, sharing its CRLF. */
  readonly lenientEmpty: boolean;
  readonly flag: ContinuationFlag;
  /** Resync garbage (blank lines, non-MSRP lines) sent before this message. */
  readonly garbage: string;
}

/** Where each message's events become due in the serialized stream. */
interface Layout {
  readonly headEnd: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly end: number;
}

const ALNUM = Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const FLAGS: readonly ContinuationFlag[] = ['$', '+', '#'];
const TOKEN_CHARS = [...ALNUM, ...Array.from("!#$%&'*+-.^_`|~")];

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

const tidArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...ALNUM),
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ALNUM) },
        { weight: 2, arbitrary: fc.constantFrom('.', '-', '+', '%', '=') },
      ),
      { minLength: 3, maxLength: 31 },
    ),
  )
  .map(([first, rest]) => first + rest.join(''));

const headerArb: fc.Arbitrary<Header> = fc.record({
  name: fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 14 }),
  value: fc
    .array(
      fc.oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
        fc.constantFrom(': ', ':', '\t', 'é', '😀', '-------', 'msrp://h:1/s;tcp'),
      ),
      { maxLength: 5 },
    )
    // The parser strips whitespace after the colon; CR/LF cannot be inside a header line.
    .map((parts) =>
      parts
        .join('')
        .replace(/[\r\n]/g, '')
        .replace(/^[ \t]+/, ''),
    ),
});

const garbageArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constant('\r\n'),
      fc
        .string({ unit: fc.constantFrom(...Array.from('MSRP abc-$#:\t\n')), minLength: 1, maxLength: 16 })
        .filter((line) => !line.startsWith('MSRP '))
        .map((line) => `${line}\r\n`),
    ),
    { maxLength: 2 },
  )
  .map((lines) => lines.join(''));

const endLineText = (tid: string, flag: string): string => `\r\n-------${tid}${flag}\r\n`;

/** Body material that is hard for a boundary search: partial and near-miss end-lines of the message's own tid. */
function bodyArb(tid: string): fc.Arbitrary<Buffer> {
  const own = endLineText(tid, '$');
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom('\r\n', '\r', '\n', '-', '-------', '\r\n-------', '\0').map(latin1),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...FLAGS), fc.integer({ min: 1, max: own.length - 1 }))
        .map(([flag, length]) => latin1(endLineText(tid, flag).slice(0, length))),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          `\r\n-------${tid}X`,
          `\r\n-------${tid}$X\r\n`,
          `\r\n-------${tid}$\r`,
          `\r\n-------${tid}$\n`,
          `\r\n-------${tid.slice(0, -1)}$\r\n`,
          `\r\n-------${tid}0$\r\n`,
          `\r\n--------${tid}$\r\n`,
          `\n-------${tid}$\r\n`,
          endLineText(`${tid}x`, '$'),
          endLineText(`Q${tid.slice(1)}`, '#'),
        )
        .map(latin1),
    },
    // A complete end-line of its own: repaired below, so that a sender-valid body results.
    { weight: 1, arbitrary: fc.constantFrom(...FLAGS).map((flag) => latin1(endLineText(tid, flag))) },
  );
  return fc.array(piece, { maxLength: 12 }).map((pieces) => repairBody(tid, Buffer.concat(pieces)));
}

/**
 * A sender must choose a tid whose end-line does not occur in the body (RFC 4975 §7.1.1). Break every
 * occurrence (counting the CRLF of the empty line before the body, and the CRLF of the real end-line after
 * it) by replacing its flag byte with NUL, which can neither be part of an end-line nor create a new one.
 */
function repairBody(tid: string, body: Buffer): Buffer {
  const repaired = Buffer.from(body);
  const needle = latin1(`\r\n-------${tid}`);
  for (;;) {
    const framed = Buffer.concat([latin1('\r\n'), repaired, latin1(endLineText(tid, '$'))]);
    const at = firstEndLine(framed, needle);
    if (at === 2 + repaired.length) return repaired;
    const flagAt = at + needle.length - 2;
    assert.ok(
      flagAt >= 0 && flagAt < repaired.length,
      'an early end-line must have its flag inside the body',
    );
    repaired[flagAt] = 0;
  }
}

function firstEndLine(buffer: Buffer, needle: Buffer): number {
  for (let from = 0; ; ) {
    const at = buffer.indexOf(needle, from);
    if (at === -1) return -1;
    const flag = buffer[at + needle.length];
    if (
      (flag === 0x24 || flag === 0x2b || flag === 0x23) &&
      buffer[at + needle.length + 1] === 0x0d &&
      buffer[at + needle.length + 2] === 0x0a
    ) {
      return at;
    }
    from = at + 1;
  }
}

function requestArb(): fc.Arbitrary<GeneratedMessage> {
  return tidArb.chain((tid) =>
    fc.record({
      tid: fc.constant(tid),
      method: fc.constantFrom('SEND', 'REPORT', 'AUTH', 'NICKNAME', 'FOO', 'x'),
      status: fc.constant(undefined),
      comment: fc.constant(undefined),
      headers: fc
        .array(headerArb, { maxLength: 5 })
        .map((extra) => [
          { name: 'To-Path', value: 'msrp://relay.example.com:2855/s1;tcp msrp://b:1/s2;tcp' },
          { name: 'From-Path', value: 'msrp://a:3/s3;tcp' },
          ...extra,
        ]),
      body: fc.option(bodyArb(tid), { nil: undefined, freq: 3 }),
      lenientEmpty: fc.boolean(),
      flag: fc.constantFrom(...FLAGS),
      garbage: garbageArb,
    }),
  );
}

const responseArb: fc.Arbitrary<GeneratedMessage> = fc.record({
  tid: tidArb,
  method: fc.constant(undefined),
  status: fc.integer({ min: 0, max: 999 }),
  comment: fc.option(
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((text) => text.replace(/[\r\n]/g, '')),
    { nil: undefined },
  ),
  headers: fc.array(headerArb, { maxLength: 4 }),
  body: fc.constant(undefined),
  lenientEmpty: fc.constant(false),
  flag: fc.constant('$' as const),
  garbage: garbageArb,
});

const messagesArb: fc.Arbitrary<GeneratedMessage[]> = fc.array(
  fc.oneof({ weight: 3, arbitrary: requestArb() }, { weight: 1, arbitrary: responseArb }),
  { minLength: 1, maxLength: 6 },
);

function serialize(messages: readonly GeneratedMessage[]): { bytes: Buffer; layouts: Layout[] } {
  const parts: Buffer[] = [];
  const layouts: Layout[] = [];
  let offset = 0;
  const put = (part: Buffer): number => {
    parts.push(part);
    offset += part.length;
    return offset;
  };
  for (const m of messages) {
    put(Buffer.from(m.garbage, 'utf8'));
    const startLine =
      m.method !== undefined
        ? `MSRP ${m.tid} ${m.method}`
        : `MSRP ${m.tid} ${String(m.status).padStart(3, '0')}${m.comment === undefined ? '' : ` ${m.comment}`}`;
    let head = `${startLine}\r\n`;
    for (const header of m.headers) head += `${header.name}: ${header.value}\r\n`;
    if (m.body === undefined) {
      // A body-less message's head is only known complete when its end-line is.
      put(Buffer.from(head, 'utf8'));
      const end = put(latin1(endLineText(m.tid, m.flag).slice(2)));
      layouts.push({ headEnd: end, bodyStart: end, bodyEnd: end, end });
      continue;
    }
    const headEnd = put(Buffer.from(`${head}\r\n`, 'utf8'));
    const bodyEnd = put(m.body);
    const lenient = m.body.length === 0 && m.lenientEmpty;
    const end = put(latin1(lenient ? endLineText(m.tid, m.flag).slice(2) : endLineText(m.tid, m.flag)));
    layouts.push({ headEnd, bodyStart: headEnd, bodyEnd, end });
  }
  return { bytes: Buffer.concat(parts), layouts };
}

interface PlainHead {
  readonly tid: string;
  readonly method: string | undefined;
  readonly status: number | undefined;
  readonly comment: string | undefined;
  readonly headers: readonly Header[];
  readonly hasBody: boolean;
  readonly malformedLines: number;
}

function expectedHead(m: GeneratedMessage): PlainHead {
  return {
    tid: m.tid,
    method: m.method,
    status: m.status,
    comment: m.comment,
    headers: m.headers.map((h) => ({ name: h.name, value: h.value })),
    hasBody: m.body !== undefined,
    malformedLines: 0,
  };
}

function plainHead(head: MsrpHead): PlainHead {
  return {
    tid: head.tid,
    method: head.method,
    status: head.status,
    comment: head.comment,
    headers: head.headers.entries.map((h) => ({ name: h.name, value: h.value })),
    hasBody: head.hasBody,
    malformedLines: head.malformedLines,
  };
}

/** Cut points: none, every byte, or random offsets. */
function cutsArb(length: number): fc.Arbitrary<number[]> {
  if (length < 2) return fc.constant<number[]>([]);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<number[]>([]) },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: length - 1 }, (_, i) => i + 1)) },
    {
      weight: 4,
      arbitrary: fc
        .uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: Math.min(40, length - 1) })
        .map((cuts) => cuts.sort((a, b) => a - b)),
    },
  );
}

function pieces(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const result: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    result.push(bytes.subarray(from, cut));
    from = cut;
  }
  return result;
}

const scenarioArb = messagesArb.chain((messages) => {
  const serialized = serialize(messages);
  return fc.tuple(fc.constant(messages), fc.constant(serialized), cutsArb(serialized.bytes.length));
});

test('random messages fed in random pieces give the events of the generated messages, each as soon as due', () => {
  fc.assert(
    fc.property(scenarioArb, ([messages, { bytes, layouts }, cuts]) => {
      const heads: MsrpHead[] = [];
      const bodies: Buffer[][] = [];
      const flags: ContinuationFlag[] = [];
      const parser = new MsrpParser({
        onHead: (head) => {
          assert.equal(heads.length, flags.length, 'onHead before the previous message ended');
          heads.push(head);
          bodies.push([]);
        },
        onBody: (slice) => {
          assert.equal(heads.length, flags.length + 1, 'onBody outside a message');
          assert.ok(slice.length > 0, 'empty body slice');
          bodies[bodies.length - 1]!.push(Buffer.from(slice));
        },
        onEnd: (flag) => {
          assert.equal(heads.length, flags.length + 1, 'onEnd outside a message');
          flags.push(flag);
        },
      });
      let fed = 0;
      for (const piece of pieces(bytes, cuts)) {
        parser.feed(piece);
        fed += piece.length;
        // Every event whose bytes are complete has been delivered, and nothing before its bytes are.
        const dueHeads = layouts.filter((layout) => layout.headEnd <= fed).length;
        const dueEnds = layouts.filter((layout) => layout.end <= fed).length;
        assert.equal(heads.length, dueHeads, `heads after ${fed} bytes`);
        assert.equal(flags.length, dueEnds, `ends after ${fed} bytes`);
        const current = layouts.findIndex((layout) => layout.bodyStart <= fed && fed < layout.end);
        const message = messages[current];
        const layout = layouts[current];
        if (message?.body !== undefined && layout !== undefined) {
          // At most one end-line minus its last byte (needle + flag + CR = L + 2) is held back.
          const delivered = bodies[current]!.reduce((sum, slice) => sum + slice.length, 0);
          const held =
            Math.min(fed, layout.bodyEnd) - layout.bodyStart - delivered + Math.max(0, fed - layout.bodyEnd);
          assert.ok(held >= 0, 'delivered more body than received');
          assert.ok(held <= 9 + message.tid.length + 2, `held back ${held} bytes for tid ${message.tid}`);
        }
      }
      assert.deepEqual(heads.map(plainHead), messages.map(expectedHead));
      // Each head owns its header list: the parser keeps and reuses none (heads outlive the next message).
      assert.equal(new Set(heads.map((head) => head.headers)).size, heads.length);
      assert.deepEqual(
        bodies.map((slices) => Buffer.concat(slices).toString('hex')),
        messages.map((m) => (m.body ?? Buffer.alloc(0)).toString('hex')),
      );
      assert.deepEqual(
        flags,
        messages.map((m) => m.flag),
      );
      assert.equal(parser.inMessage, false);
    }),
    { numRuns: 2000 },
  );
});

test('pausing at message boundaries and resuming between reads changes nothing but the timing', () => {
  fc.assert(
    fc.property(
      scenarioArb,
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      ([messages, { bytes }, cuts], pauseAt) => {
        const log: string[] = [];
        let pausedBy: string | undefined;
        let events = 0;
        const shouldPause = (): boolean => pauseAt[events++ % pauseAt.length] === true;
        const record = (event: string): void => {
          assert.equal(pausedBy, undefined, `${event} delivered while paused by ${pausedBy ?? ''}`);
          log.push(event);
        };
        const parser: MsrpParser = new MsrpParser({
          onHead: (head) => {
            record(`head ${head.tid}`);
            // Pausing in onHead is only clean when a body section follows (see parser.test.ts for the rest).
            if (head.hasBody && shouldPause()) {
              pausedBy = `head ${head.tid}`;
              parser.pause();
            }
          },
          onBody: (slice) => {
            log.push(`body ${slice.toString('hex')}`);
            assert.equal(pausedBy, undefined, 'body delivered while paused');
          },
          onEnd: (flag) => {
            record(`end ${flag}`);
            if (shouldPause()) {
              pausedBy = 'end';
              parser.pause();
            }
          },
        });
        for (const piece of pieces(bytes, cuts)) {
          parser.feed(piece);
          // Resume (possibly several times: a resumed parser may pause again) before the next read.
          for (let guard = 0; parser.isPaused; guard++) {
            assert.ok(guard < 1000, 'resume loop does not terminate');
            pausedBy = undefined;
            parser.resume();
          }
        }
        const expected: string[] = [];
        for (const m of messages) {
          expected.push(`head ${m.tid}`);
          if (m.body !== undefined && m.body.length > 0) expected.push(`body ${m.body.toString('hex')}`);
          expected.push(`end ${m.flag}`);
        }
        // Body slices may be split differently; join consecutive ones before comparing.
        const joined: string[] = [];
        for (const entry of log) {
          const last = joined[joined.length - 1];
          if (entry.startsWith('body ') && last?.startsWith('body ') === true)
            joined[joined.length - 1] = last + entry.slice(5);
          else joined.push(entry);
        }
        assert.deepEqual(joined, expected);
      },
    ),
    { numRuns: 400 },
  );
});

test('the generator is sound: repaired bodies never contain their own end-line', () => {
  // Guards the reference model itself: a body with an embedded end-line would make the expectation wrong.
  fc.assert(
    fc.property(
      tidArb.chain((tid) => fc.tuple(fc.constant(tid), bodyArb(tid))),
      ([tid, body]) => {
        const framed = Buffer.concat([latin1('\r\n'), body, latin1(endLineText(tid, '$'))]);
        assert.equal(firstEndLine(framed, latin1(`\r\n-------${tid}`)), 2 + body.length);
      },
    ),
    { numRuns: 300 },
  );
  assert.deepEqual(repairBody('abcd', latin1('x\r\n-------abcd$\r\ny')), latin1('x\r\n-------abcd\0\r\ny'));
  assert.deepEqual(repairBody('abcd', latin1('-------abcd+\r\n')), latin1('-------abcd\0\r\n'));
  assert.deepEqual(repairBody('abcd', latin1('x\r\n-------abcd#')), latin1('x\r\n-------abcd\0'));
});
