/**
 * Differential test against Python: generated CPIM header blocks, NS values, identities, MIME parts and
 * date-times are read by this module and by sipsimple-reference.py (python3-sipsimple's expressions, the
 * email package and dateutil, one python3 process for the batch); the readings must agree wherever this
 * module does not deliberately differ (cpim-parse.ts says where). Skipped when python3 with dateutil is
 * missing. CPIM_DIFF_SEED and CPIM_DIFF_RUNS change the seed and the number of cases.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseHeaderBlock, parseNamespaceValue } from '../../../src/messaging/formats/cpim-header-line.js';
import { parseCpimIdentity } from '../../../src/messaging/formats/cpim-identity.js';
import { parseMimePart } from '../../../src/messaging/formats/mime-part.js';
import { formatTimestamp } from '../../../src/messaging/formats/timestamp.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';
import { SipUri } from '../../../src/sip/uri.js';
import { timestampArb } from './arbitraries.js';

const SEED = Number(process.env.CPIM_DIFF_SEED ?? '20240501');
const RUNS = Number(process.env.CPIM_DIFF_RUNS ?? '600');
const SCRIPT = fileURLToPath(new URL('sipsimple-reference.py', import.meta.url));
const hasPython = spawnSync('python3', ['-c', 'import dateutil'], { stdio: 'ignore' }).status === 0;

const piece = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

/** Header lines from pieces that exercise prefixes, dots, colons, blanks and identities. */
const lineArb = fc
  .array(
    piece([
      'From',
      'To',
      'cc',
      'NS',
      'imdn',
      'Message-ID',
      'x',
      '.',
      '.',
      ':',
      ':',
      ': ',
      ' ',
      '  ',
      '\t',
      '\r',
      '<',
      '>',
      '"',
      'sip:a@b',
      '<sip:alice@example.com>',
      'é',
      'a.b',
      '::',
      '. ',
      'urn:x',
    ]),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/**
 * A block where Python lets a line run into the next (the deliberate difference): some line but the last
 * has a colon after its start followed by blanks only.
 */
function runsOn(block: string): boolean {
  const lines = block.split('\n');
  return lines.slice(0, -1).some((line) => {
    const colon = line.lastIndexOf(':');
    return colon >= 1 && /^\s*$/.test(line.slice(colon + 1));
  });
}

const headerBlockArb = fc
  .tuple(
    fc.array(fc.tuple(lineArb, piece(['\r\n', '\r\n', '\r\n', '\n'])), { maxLength: 5 }),
    lineArb,
    piece(['', '', '\n']),
  )
  .map(([lines, last, end]) => lines.map(([line, lineEnd]) => line + lineEnd).join('') + last + end)
  .filter((block) => !block.includes('\r\n\r\n') && !runsOn(block));

const nsArb = fc
  .array(piece(['imdn', ' ', '  ', '<', '>', 'urn:ietf:params:imdn', 'a', '\t', '<>', 'p<q>']), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

const identityArb = fc
  .array(
    piece([
      'Alice',
      ' ',
      '"',
      '<',
      '>',
      'sip:alice@example.com',
      'sips:b@x;t=1',
      'alice@example.com',
      'Bob B.',
      '\t',
      'é',
      "'",
    ]),
    { minLength: 1, maxLength: 7 },
  )
  .map((parts) => parts.join(''));

const mimeArb = fc
  .array(
    piece([
      'Content-Type: text/plain',
      'Content-Type: Text/HTML; charset="ISO-8859-1"',
      'Content-Type: message/imdn+xml; charset=utf-8',
      'content-type: image/png;charset=UTF-8',
      'Content-Type: nonsense',
      'MIME-Version: 1.0',
      'From someone',
      ' continued',
      '\tmore',
      ':no name',
      'X-A: b',
      '<?xml version="1.0"?>',
      'Hello',
      '',
      'body: looks like a header',
    ]),
    { maxLength: 7 },
  )
  .chain((lines) =>
    fc
      .array(piece(['\n', '\r\n', '\r']), { minLength: lines.length, maxLength: lines.length })
      .map((ends) => lines.map((line, i) => line + (ends[i] ?? '')).join('')),
  );

const datetimeArb = fc.oneof(
  timestampArb.map(formatTimestamp),
  timestampArb.chain((t) =>
    fc
      .tuple(
        piece(['T', ' ', 't', '  ']),
        piece(['', 'Z', 'z', ' UTC', '+0200', '-03', '+05:30', ' +01:00']),
        piece(['-', '/']),
        fc.boolean(),
      )
      .map(([sep, zone, dateSep, seconds]) => {
        const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
        const date = [pad(t.year, 4), pad(t.month), pad(t.day)].join(dateSep);
        const time = `${pad(t.hour)}:${pad(t.minute)}${seconds ? `:${pad(t.second)}.${pad(t.microsecond, 6).slice(0, 3)}` : ''}`;
        return `${date}${sep}${time}${zone}`;
      }),
  ),
  fc.string({ unit: piece([...Array.from('0123456789-:T.Z+ /')]), maxLength: 25 }),
);

interface Reference {
  readonly headers: string[][][];
  readonly ns: ([string | null, string] | null)[];
  readonly identities: ([string | null, string] | null)[];
  readonly mime: [string, string | null, string | null][];
  readonly datetimes: (string | null)[];
}

test('CPIM pieces are read as python3-sipsimple reads them', {
  skip: !hasPython && 'python3 with dateutil not found',
}, () => {
  const cases = fc.sample(
    fc.record({
      headers: headerBlockArb,
      ns: nsArb,
      identities: identityArb,
      mime: mimeArb,
      datetimes: datetimeArb,
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const input = {
    headers: cases.map((c) => c.headers),
    ns: cases.map((c) => c.ns),
    identities: cases.map((c) => c.identities),
    mime: cases.map((c) => c.mime),
    datetimes: cases.map((c) => c.datetimes),
  };
  const run = spawnSync('python3', [SCRIPT], { input: JSON.stringify(input), maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr.toString());
  const reference = JSON.parse(run.stdout.toString()) as Reference;

  input.headers.forEach((block, i) => {
    const ours = parseHeaderBlock(block).map((h) => [h.prefix, h.name, h.value]);
    assert.deepEqual(ours, reference.headers[i], JSON.stringify(block));
  });
  input.ns.forEach((value, i) => {
    const ours = parseNamespaceValue(value);
    assert.deepEqual(
      ours === undefined ? null : [ours.prefix ?? null, ours.uri],
      reference.ns[i],
      JSON.stringify(value),
    );
  });
  input.identities.forEach((value, i) => {
    const expected = reference.identities[i];
    const ours = parseCpimIdentity(value);
    if (expected === null || expected === undefined) {
      // Only a quoted name is read where sipsimple gives up (or would fail on the URI).
      if (!value.startsWith('"')) assert.equal(ours, undefined, JSON.stringify(value));
      return;
    }
    if (SipUri.parse(expected[1]) === undefined) {
      if (!value.startsWith('"')) assert.equal(ours, undefined, JSON.stringify(value));
    } else
      assert.deepEqual([ours?.displayName ?? null, ours?.uri.toString()], expected, JSON.stringify(value));
  });
  input.mime.forEach((text, i) => {
    const [type, charset, payload] = reference.mime[i] ?? [];
    const ours = parseMimePart(text);
    const content =
      ours.contentType === 'message/imdn+xml' ? parseMimePart(ours.payload).payload : ours.payload;
    assert.deepEqual([ours.contentType, ours.charset ?? null], [type, charset], JSON.stringify(text));
    if (payload !== null) assert.equal(content, payload, JSON.stringify(text));
  });
  input.datetimes.forEach((text, i) => {
    const ours = parseTimestamp(text);
    // dateutil reads much more (times without dates, month names); what this reader reads, it reads alike.
    if (ours !== undefined) assert.equal(formatTimestamp(ours), reference.datetimes[i], JSON.stringify(text));
  });
});
