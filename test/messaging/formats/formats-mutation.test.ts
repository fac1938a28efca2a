/**
 * Mutation tests: valid CPIM, IMDN and FT-HTTP bodies (the spec's examples and generated ones) corrupted by
 * byte flips, truncations, long runs, NULs, invalid UTF-8, markup and separator insertions, dropped and
 * duplicated lines. Every parser and the whole MESSAGE path must answer with a value or a typed error,
 * never throw, and finish quickly; a few hostile inputs check that the cost stays linear.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyMessage } from '../../../src/messaging/formats/classify.js';
import { buildCpim } from '../../../src/messaging/formats/cpim-build.js';
import { parseCpim } from '../../../src/messaging/formats/cpim-parse.js';
import { buildFtHttp, parseFtHttp } from '../../../src/messaging/formats/ft-http.js';
import { buildImdn } from '../../../src/messaging/formats/imdn-build.js';
import { parseImdn } from '../../../src/messaging/formats/imdn-parse.js';
import { parseMessageParts } from '../../../src/messaging/formats/parsed-message.js';
import type { FormatErrorCode, Result } from '../../../src/messaging/formats/result.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';
import { DEFAULT_XML_LIMITS, parseXml } from '../../../src/messaging/formats/xml-parse.js';
import { parseNameAddr } from '../../../src/sip/headers/name-addr.js';
import { cpimInitArb, ftHttpFileArb, imdnInitArb } from './arbitraries.js';

const IMDN_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">\n' +
  '  <message-id>ID</message-id><datetime>2024-05-01T10:00:00+00:00</datetime>\n' +
  '  <recipient-uri>sip:a@x</recipient-uri><original-recipient-uri>sip:a@x</original-recipient-uri>\n' +
  '  <delivery-notification><status><delivered/></status></delivery-notification>\n</imdn>';
const FT_HTTP_XML =
  '<file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp" xmlns:x="urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext">\n' +
  '  <file-info type="file">\n    <file-size>1234</file-size><file-name>a.png</file-name>' +
  '<content-type>image/png</content-type>\n    <data url="https://h/a.png" until="2024-05-16T10:00:00+02:00"/>\n' +
  '    <x:file-hash>sha-1:AB</x:file-hash>\n  </file-info>\n</file>';

function cpim(contentType: string, content: string): string {
  return (
    'From: Alice <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n' +
    'DateTime: 2024-05-01T10:00:00.123000+00:00\r\nNS: imdn <urn:ietf:params:imdn>\r\n' +
    'imdn.Message-ID: 6c1f\r\nimdn.Disposition-Notification: positive-delivery, display\r\n\r\n' +
    `MIME-Version: 1.0\nContent-Type: ${contentType}; charset="utf-8"\n\n${content}`
  );
}

const examples: Buffer[] = [
  cpim('text/plain', 'Hello'),
  cpim('message/imdn+xml', IMDN_XML),
  cpim('application/vnd.gsma.rcs-ft-http+xml', FT_HTTP_XML),
  cpim(
    'application/sylk-api-conversation-remove',
    '{"contact":"bob@example.com","timestamp":"2024-05-02T00:00:00Z"}',
  ),
  IMDN_XML,
  FT_HTTP_XML,
].map((text) => Buffer.from(text, 'utf8'));

function unwrap(result: Result<Buffer>): Buffer {
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

const corpusArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(...examples),
  cpimInitArb.map((init) => unwrap(buildCpim(init))),
  imdnInitArb.map((init) => unwrap(buildImdn(init))),
  fc.array(ftHttpFileArb, { minLength: 1, maxLength: 3 }).map((files) => unwrap(buildFtHttp(files))),
);

type Mutation = (bytes: Buffer) => Buffer;
const at = (bytes: Buffer, position: number): number => position % (bytes.length + 1);
const splice = (bytes: Buffer, position: number, remove: number, insert: Buffer): Buffer =>
  Buffer.concat([
    bytes.subarray(0, at(bytes, position)),
    insert,
    bytes.subarray(Math.min(bytes.length, at(bytes, position) + remove)),
  ]);

function lines(bytes: Buffer): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    spans.push([start, i + 1]);
    start = i + 1;
  }
  spans.push([start, bytes.length]);
  return spans;
}

const INSERTS = [
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  ' ',
  '\t',
  ':',
  '.',
  ',',
  ';',
  '"',
  '<',
  '>',
  '/>',
  '</x>',
  '&',
  '&amp;',
  '&#0;',
  '&e;',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e "ee">]>',
  'xmlns:p="u"',
  'xmlns=""',
  'p:',
  'NS: imdn <urn:other>',
  'imdn.Message-ID: ',
  'From: "x" <sip:',
  'Content-Type: ',
  'message/imdn+xml',
  'From ',
  '\u00e9',
  '\ufeff',
];

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
  fc
    .tuple(
      fc.nat(),
      fc.integer({ min: 1000, max: 20_000 }),
      fc.constantFrom(0x61, 0x2e, 0x3a, 0x3c, 0x20, 0x26),
    )
    .map(
      ([p, n, byte]): Mutation =>
        (b) =>
          splice(b, p, 0, Buffer.alloc(n, byte)),
    ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })).map(
    ([p, n]): Mutation =>
      (b) =>
        splice(b, p, 0, Buffer.alloc(n, 0)),
  ),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80]),
    )
    .map(
      ([p, seq]): Mutation =>
        (b) =>
          splice(b, p, 0, Buffer.from(seq)),
    ),
  fc.tuple(fc.nat(), fc.constantFrom(...INSERTS)).map(
    ([p, s]): Mutation =>
      (b) =>
        splice(b, p, 0, Buffer.from(s)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(
    ([p, n]): Mutation =>
      (b) =>
        splice(b, p, n, Buffer.alloc(0)),
  ),
  fc.tuple(fc.nat(), fc.boolean()).map(
    ([p, duplicate]): Mutation =>
      (b) => {
        const spans = lines(b);
        const [start, end] = spans[p % spans.length] ?? [0, 0];
        return duplicate
          ? splice(b, start, 0, b.subarray(start, end))
          : splice(b, start, end - start, Buffer.alloc(0));
      },
  ),
);

const inputArb = fc
  .tuple(corpusArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
  .map(([bytes, mutations]) => mutations.reduce((b, mutate) => mutate(b), bytes));

const FROM = parseNameAddr('<sip:alice@example.com>;tag=1');
const TO = parseNameAddr('<sip:bob@example.com>');
const NOW = parseTimestamp('2024-06-01T08:00:00+02:00');
const CONTENT_TYPES = [
  'message/cpim',
  'message/imdn+xml',
  'application/vnd.gsma.rcs-ft-http+xml',
  'text/plain',
];

const CODES = new Set<FormatErrorCode>([
  'missing-header',
  'empty-body',
  'invalid-utf8',
  'decompress-failed',
  'too-large',
  'malformed-cpim',
  'malformed-xml',
  'malformed-imdn',
  'malformed-ft-http',
  'malformed-file-transfer',
  'malformed-api-body',
]);

/** A known code and a printable reason that quotes nothing from the input (reasons go to logs). */
function typed(result: Result<unknown>): void {
  if (result.ok) return;
  assert.ok(CODES.has(result.error.code), result.error.code);
  assert.match(result.error.reason, /^[\x20-\x7e]+$/);
}

/** Runs every parser on `input`; returns how long it took. */
function everything(input: Buffer, contentType: string): number {
  assert.ok(FROM && TO && NOW);
  const started = performance.now();
  typed(parseCpim(input));
  typed(parseImdn(input));
  typed(parseFtHttp(input));
  const message = parseMessageParts(
    { contentType, body: input, from: FROM, to: TO },
    { now: NOW, maxDecompressedBytes: 65_536, fileTransferExpireDays: 15 },
  );
  typed(message);
  if (message.ok) typed(classifyMessage(message.value));
  return performance.now() - started;
}

test('corrupted bodies: a value or a typed error, never an exception, never slow', () => {
  fc.assert(
    fc.property(inputArb, fc.constantFrom(...CONTENT_TYPES), (input, contentType) => {
      const elapsed = everything(input, contentType);
      assert.ok(elapsed < 1000, `${elapsed} ms for ${input.length} bytes`);
    }),
    { numRuns: 1500 },
  );
});

test('hostile inputs cost linear time', () => {
  // Large enough that anything quadratic would take minutes, small enough to stay fast on a busy machine.
  const big = 200_000;
  const xmlLimits = { ...DEFAULT_XML_LIMITS, maxLength: 4 * big };
  const cases: [string, () => unknown][] = [
    ['dots before a colon', () => parseCpim(Buffer.from(`${'a.'.repeat(big / 2)}:\r\n\r\nx`))],
    ['colons without values', () => parseCpim(Buffer.from(`${'x.y:'.repeat(big / 4)}\r\n\r\nx`))],
    ['colonless lines glued', () => parseCpim(Buffer.from(`${'abc\r\n'.repeat(big / 5)}x.y: z\r\n\r\n`))],
    ['bare LF lines', () => parseCpim(Buffer.from(`${'a.b: c\n'.repeat(big / 7)}\r\n\r\n`))],
    ['NS of angle brackets', () => parseCpim(Buffer.from(`NS: ${'<'.repeat(big)}>\r\n\r\n`))],
    ['Required of blanks', () => parseCpim(Buffer.from(`Required: a${' '.repeat(big)}b\r\n\r\n`))],
    ['NS with a long prefix', () => parseCpim(Buffer.from(`NS: ${'p'.repeat(big)}  <u>\r\n\r\n`))],
    [
      'identity with many spaces',
      () => parseCpim(Buffer.from(`From: ${'a '.repeat(big / 2)}<sip:a@b\r\n\r\n`)),
    ],
    [
      'identity with quotes',
      () => parseCpim(Buffer.from(`From: "${'\\"'.repeat(big / 2)} <sip:a@b>\r\n\r\n`)),
    ],
    ['identity with brackets', () => parseCpim(Buffer.from(`To: ${'<sip:'.repeat(big / 5)}\r\n\r\n`))],
    [
      'identity quoted tail',
      () => parseCpim(Buffer.from(`To: "${'a'.repeat(big)}" <sip:${'b'.repeat(big)}\r\n\r\n`)),
    ],
    ['identity spaces then <', () => parseCpim(Buffer.from(`To: a${' '.repeat(big)}x<sip:a@b>\r\n\r\n`))],
    ['MIME header lines', () => parseCpim(Buffer.from(`\r\n\r\n${'X-A: b\n'.repeat(big / 7)}`))],
    [
      'MIME quoted params',
      () => parseCpim(Buffer.from(`\r\n\r\nContent-Type: a/b; ${'"\\'.repeat(big / 2)}\n\nx`)),
    ],
    ['XML text of references', () => parseXml(`<a>${'&amp;'.repeat(big / 5)}</a>`, xmlLimits)],
    ['XML unterminated reference', () => parseXml(`<a>&${'a'.repeat(big)}</a>`, xmlLimits)],
    ['XML unterminated comment', () => parseXml(`<a><!--${'-'.repeat(big)}</a>`, xmlLimits)],
    ['XML many siblings', () => parseXml(`<a>${'<b/>'.repeat(big / 4)}</a>`, xmlLimits)],
    ['XML many text chunks', () => parseXml(`<a>${'x<!---->'.repeat(big / 8)}</a>`, xmlLimits)],
    ['XML long attribute', () => parseXml(`<a b="${'x'.repeat(big)}"/>`, xmlLimits)],
    ['XML declaration of spaces', () => parseXml(`<?xml version="1.0"${' '.repeat(big)}x?><a/>`, xmlLimits)],
    ['timestamp digits', () => parseTimestamp(`2024-05-01T10:00:00.${'1'.repeat(big)}`)],
  ];
  // CPU time of this process, not wall time: run() is synchronous, so it counts the parse alone, however
  // loaded the machine is (wall time measured 2.9 s for a linear parse with two suites side by side).
  for (const [name, run] of cases) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    const elapsed = (used.user + used.system) / 1000;
    assert.ok(elapsed < 2000, `${name}: ${Math.round(elapsed)} ms of CPU`);
  }
});
