/**
 * Differential test against Python: generated CPIM header blocks, NS values, identities, MIME parts and
 * date-times are read by this module and by sipsimple-reference.py (python3-sipsimple's expressions, the
 * email package and dateutil, one python3 process for the batch); the readings must agree wherever this
 * module does not deliberately differ (IDENTITY_DIFFERENCES and DATETIME_DIFFERENCES below list where,
 * and why), in both directions: what the reference reads and this module refuses, and the other way round.
 * Skipped when python3 with dateutil is missing (CI installs python3-dateutil and fails on the skip). CPIM_DIFF_SEED and CPIM_DIFF_RUNS change the seed and the number of cases.
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
      '\\',
      '\\"',
    ]),
    { minLength: 1, maxLength: 7 },
  )
  .map((parts) => parts.join(''));

/** `[quote] name [quote] [blanks] <uri>`: display names with quotes, escapes, '<' and blanks in them. */
const structuredIdentityArb = fc
  .tuple(
    fc
      .array(piece(['Alice', 'Bob B.', ' ', '"', '\\', '\\"', '<', '<sip:x@y>', 'é', "'", '\t']), {
        maxLength: 5,
      })
      .map((parts) => parts.join('')),
    piece(['', '"']),
    piece(['', ' ', '  ']),
    piece(['sip:alice@example.com', 'sips:b@x;t=1', 'sip:a@b>', 'tel:123', 'sip:']),
  )
  .map(([name, quote, blanks, uri]) => `${quote}${name}${quote}${blanks}<${uri}>`);

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
        piece(['', 'Z', 'z', ' UTC', '+0200', '-03', '+05:30', ' +01:00', '+2', '+02:0', ' EST', 'GMT+1']),
        piece(['-', '/']),
        piece(['hour', 'minute', 'second'] as const),
      )
      .map(([sep, zone, dateSep, precision]) => {
        const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
        const date = [pad(t.year, 4), pad(t.month), pad(t.day)].join(dateSep);
        const seconds =
          precision === 'second' ? `:${pad(t.second)}.${pad(t.microsecond, 6).slice(0, 3)}` : '';
        const time = precision === 'hour' ? pad(t.hour) : `${pad(t.hour)}:${pad(t.minute)}${seconds}`;
        return `${date}${sep}${time}${zone}`;
      }),
  ),
  fc.string({ unit: piece([...Array.from('0123456789-:T.Z+ /')]), maxLength: 25 }),
);

/**
 * Where this module reads a CPIM identity differently from sipsimple, on purpose: a display name in quotes
 * is RFC 3862's quoted-string (RFC 3862 §3.3, RFC 2822's grammar), which sipsimple's expression only approximates.
 * Each case is a well-formed quoted name (QUOTED_IDENTITY), and this module must then read exactly it:
 * escapes undone, the name kept whole.
 */
const QUOTED_IDENTITY = /^"((?:[^"\\\n]|\\[^\n])*)"\s*<(sips?:[^\n]+)>$/;
const IDENTITY_DIFFERENCES: readonly { readonly why: string; readonly applies: (name: string) => boolean }[] =
  [
    {
      why: 'a backslash escape in the quoted name is undone; sipsimple keeps the backslash or refuses the value',
      applies: (name) => name.includes('\\'),
    },
    {
      why: "a '<' inside the quotes is part of the name; sipsimple stops there and takes the rest for the URI",
      applies: (name) => name.includes('<'),
    },
    {
      why: 'a quoted name that ends in blanks (or is only blanks) is read; sipsimple wants it to end in another character',
      applies: (name) => /\s$/.test(name),
    },
    {
      why: 'an empty quoted name ("") is no name; sipsimple refuses the value',
      applies: (name) => name === '',
    },
  ];

/**
 * Where this module refuses a date-time that dateutil reads, on purpose. Nothing else may differ: what both
 * read they read alike, and this module reads nothing that dateutil refuses.
 */
const DATETIME_DIFFERENCES: readonly { readonly why: string; readonly applies: (text: string) => boolean }[] =
  [
    {
      why: 'no complete date (yyyy-mm-dd, yyyy/mm/dd, yyyymmdd): dateutil takes what is missing from today, so the same header would name another day tomorrow',
      applies: (text) => !/^\s*\d{4}(?:([-/])\d{1,2}\1\d{1,2}|\d{4})(?!\d)/.test(text),
    },
    {
      why: 'a zone name other than UTC, GMT or Z: dateutil drops EST and the like (another instant) and reads GMT+1 with the POSIX sign (an hour west)',
      applies: (text) => /[A-Za-z]{2,}/.test(text.trim().replace(/(?:UTC|GMT)$/, '')),
    },
    {
      why: 'a one-digit offset hour or minute (+2, +02:0) is no ISO 8601 offset',
      applies: (text) => /(?:[+-]\d|[+-]\d{2}:\d)\s*$/.test(text),
    },
    {
      why: 'digits without a colon after a space ("2024-05-01 1000", "2024-05-01 10") are no time; the compact forms need the T',
      applies: (text) => /^\s*\d{4}\S*\s+\d+(?![\d:])/.test(text),
    },
    {
      why: 'a T with no time after it is a cut-off value, not midnight',
      applies: (text) => /[Tt]\s*$/.test(text.trim()),
    },
  ];

/** Date-times that exercise every listed difference and the forms both read, whatever the seed. */
const DATETIME_EXAMPLES = [
  '05-01',
  '2024-05-01T10:00:00 EST',
  '2024-05-01T10:00:00GMT+1',
  '2024-05-01T10:00:00+2',
  '2024-05-01T10:00:00+02:0',
  '2024-05-01 1000',
  '2024-05-01 10',
  '2024-05-01T',
  '2024-05-01T10',
  '2024-05-01T10Z',
  '20240501T10-0530',
];

/** Identities that exercise every listed difference, whatever the seed. */
const IDENTITY_EXAMPLES = [
  '"Al\\"ice\\\\" <sip:alice@example.com>',
  '"Alice <sip:x@y>" <sip:alice@example.com>',
  '"Alice " <sip:alice@example.com>',
  '"" <sip:alice@example.com>',
  '"Alice" <sip:alice@example.com>',
];

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
      identities: fc.oneof(identityArb, structuredIdentityArb),
      mime: mimeArb,
      datetimes: datetimeArb,
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const input = {
    headers: cases.map((c) => c.headers),
    ns: cases.map((c) => c.ns),
    identities: [...IDENTITY_EXAMPLES, ...cases.map((c) => c.identities)],
    mime: cases.map((c) => c.mime),
    datetimes: [...DATETIME_EXAMPLES, ...cases.map((c) => c.datetimes)],
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
  // Both directions: what sipsimple reads and this module refuses or reads otherwise, and the other way.
  const identityDifferences: string[] = [];
  const identityReasons = new Set<string>();
  input.identities.forEach((value, i) => {
    const expected = reference.identities[i];
    // sipsimple's match with a URI that is no SIP URI would fail when it builds the identity: refused.
    const theirs =
      expected === null || expected === undefined || SipUri.parse(expected[1]) === undefined
        ? null
        : expected;
    const parsed = parseCpimIdentity(value);
    const ours = parsed === undefined ? null : [parsed.displayName ?? null, parsed.uri.toString()];
    if (JSON.stringify(ours) === JSON.stringify(theirs)) return;
    const quoted = QUOTED_IDENTITY.exec(value);
    const name = quoted?.[1] ?? '';
    const reasons = quoted === null ? [] : IDENTITY_DIFFERENCES.filter((d) => d.applies(name));
    const rfcReading = [name.replace(/\\(.)/g, '$1') || null, SipUri.parse(quoted?.[2] ?? '')?.toString()];
    if (reasons.length > 0 && JSON.stringify(ours) === JSON.stringify(rfcReading)) {
      for (const reason of reasons) identityReasons.add(reason.why);
      return;
    }
    identityDifferences.push(
      `${JSON.stringify(value)}: sipsimple ${JSON.stringify(theirs)}, missive ${JSON.stringify(ours)}`,
    );
  });
  assert.deepEqual(identityDifferences, [], 'identities read otherwise, with no listed reason');
  assert.deepEqual(
    IDENTITY_DIFFERENCES.map((d) => d.why).filter((why) => !identityReasons.has(why)),
    [],
    'listed identity differences that no case showed',
  );
  input.mime.forEach((text, i) => {
    const [type, charset, payload] = reference.mime[i] ?? [];
    const ours = parseMimePart(text);
    const content =
      ours.contentType === 'message/imdn+xml' ? parseMimePart(ours.payload).payload : ours.payload;
    assert.deepEqual([ours.contentType, ours.charset ?? null], [type, charset], JSON.stringify(text));
    if (payload !== null) assert.equal(content, payload, JSON.stringify(text));
  });
  const datetimeDifferences: string[] = [];
  const datetimeReasons = new Set<string>();
  input.datetimes.forEach((text, i) => {
    const parsed = parseTimestamp(text);
    const ours = parsed === undefined ? null : formatTimestamp(parsed);
    const theirs = reference.datetimes[i] ?? null;
    if (ours === theirs) return;
    const reasons = ours === null ? DATETIME_DIFFERENCES.filter((d) => d.applies(text)) : [];
    if (reasons.length > 0) {
      for (const reason of reasons) datetimeReasons.add(reason.why);
      return;
    }
    datetimeDifferences.push(`${JSON.stringify(text)}: dateutil ${String(theirs)}, missive ${String(ours)}`);
  });
  assert.deepEqual(datetimeDifferences, [], 'date-times read otherwise, with no listed reason');
  assert.deepEqual(
    DATETIME_DIFFERENCES.map((d) => d.why).filter((why) => !datetimeReasons.has(why)),
    [],
    'listed date-time differences that no case showed',
  );
});
