/** Timestamps: Python isoformat() output, the lenient reader, instants and day arithmetic. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  addDays,
  formatTimestamp,
  isValidTimestamp,
  localTimestamp,
  type Timestamp,
  timestampFromEpochMs,
  timestampToEpochMs,
} from '../../../src/messaging/formats/timestamp.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';
import { timestampArb } from './arbitraries.js';

function ts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  microsecond: number,
  offsetMinutes: number | null,
): Timestamp {
  return { year, month, day, hour, minute, second, microsecond, offsetMinutes };
}

test('isoformat: microseconds only when non-zero and then six digits; ±HH:MM; naive stays naive', () => {
  assert.equal(formatTimestamp(ts(2024, 5, 1, 10, 0, 0, 0, 0)), '2024-05-01T10:00:00+00:00');
  assert.equal(formatTimestamp(ts(2024, 5, 1, 10, 0, 0, 123000, 0)), '2024-05-01T10:00:00.123000+00:00');
  assert.equal(formatTimestamp(ts(2024, 5, 1, 10, 5, 0, 123456, 120)), '2024-05-01T10:05:00.123456+02:00');
  assert.equal(formatTimestamp(ts(2024, 5, 1, 10, 0, 0, 1, -330)), '2024-05-01T10:00:00.000001-05:30');
  assert.equal(formatTimestamp(ts(2024, 5, 1, 10, 0, 0, 0, null)), '2024-05-01T10:00:00');
  assert.equal(formatTimestamp(ts(5, 1, 2, 3, 4, 5, 0, null)), '0005-01-02T03:04:05');
});

test('the reader: the forms clients and SylkServer write', () => {
  const cases: [string, string][] = [
    ['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00+00:00'],
    ['2024-05-01T12:00:00+02:00', '2024-05-01T12:00:00+02:00'],
    ['2024-05-01T10:00:00.123000+00:00', '2024-05-01T10:00:00.123000+00:00'],
    ['2024-05-01T10:00:00.1234567+0200', '2024-05-01T10:00:00.123456+02:00'],
    ['2024-05-01T10:00:00.5-03', '2024-05-01T10:00:00.500000-03:00'],
    ['2024-05-01 10:00:00', '2024-05-01T10:00:00'],
    ['2024-05-01', '2024-05-01T00:00:00'],
    ['2024-5-1T9:07', '2024-05-01T09:07:00'],
    ['20240501T100000Z', '2024-05-01T10:00:00+00:00'],
    ['20240501T100000.25+0100', '2024-05-01T10:00:00.250000+01:00'],
    ['2024-05-01T10:00Z', '2024-05-01T10:00:00+00:00'],
    ['2024-05-01T10', '2024-05-01T10:00:00'],
    ['2024-05-01T10Z', '2024-05-01T10:00:00+00:00'],
    ['20240501T10-0530', '2024-05-01T10:00:00-05:30'],
    ['2024-05-01T10:00:00 UTC', '2024-05-01T10:00:00+00:00'],
    ['  2024-05-01t10:00:00z  ', '2024-05-01T10:00:00+00:00'],
    ['2024/05/01 10:00:00,5', '2024-05-01T10:00:00.500000'],
    ['2024-02-29T23:59:59.999999-23:59', '2024-02-29T23:59:59.999999-23:59'],
  ];
  for (const [input, expected] of cases) {
    const parsed = parseTimestamp(input);
    assert.ok(parsed, input);
    assert.equal(formatTimestamp(parsed), expected, input);
  }
});

test('the reader refuses what is not a valid date-time', () => {
  for (const input of [
    '',
    'hello',
    '2024-13-01',
    '2023-02-29',
    '2024-04-31T00:00:00',
    '2024-05-01T24:00:00',
    '2024-05-01T10:60:00',
    '2024-05-01T10:00:60',
    '2024-05-01T10:00:00+24:00',
    '2024-05-01T10:00:00+02:60',
    '2024-05-01 1000',
    '2024-05-01 10',
    '2024-05-01T9',
    '2024-05-01T25',
    '0000-01-01',
    '2024-05-01T10:00:00Zjunk',
    '2024-05/01',
    `2024-05-01T10:00:00.${'1'.repeat(100)}`,
  ]) {
    assert.equal(parseTimestamp(input), undefined, input);
  }
});

test('instants: offsets and naive values', () => {
  const aware = parseTimestamp('2024-05-01T12:00:00+02:00');
  assert.ok(aware);
  assert.equal(timestampToEpochMs(aware), Date.parse('2024-05-01T10:00:00Z'));
  const naive = parseTimestamp('2024-05-01T12:00:00');
  assert.ok(naive);
  assert.equal(timestampToEpochMs(naive), Date.parse('2024-05-01T12:00:00Z'));
  assert.equal(timestampToEpochMs(naive, 120), Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(timestampToEpochMs(ts(50, 1, 1, 0, 0, 0, 0, 0)), Date.parse('0050-01-01T00:00:00Z'));
  assert.equal(
    formatTimestamp(timestampFromEpochMs(Date.parse('2024-05-01T10:00:00.123Z'), 120)),
    '2024-05-01T12:00:00.123000+02:00',
  );
  const local = localTimestamp(Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(local.offsetMinutes, -new Date('2024-05-01T10:00:00Z').getTimezoneOffset());
  assert.equal(timestampToEpochMs(local), Date.parse('2024-05-01T10:00:00Z'));
});

test('addDays keeps the wall clock, the offset and the microseconds', () => {
  assert.equal(
    formatTimestamp(addDays(ts(2024, 2, 28, 23, 0, 0, 7, 60), 1)),
    '2024-02-29T23:00:00.000007+01:00',
  );
  assert.equal(formatTimestamp(addDays(ts(2024, 5, 1, 10, 0, 0, 0, null), 15)), '2024-05-16T10:00:00');
  assert.equal(formatTimestamp(addDays(ts(2024, 12, 31, 0, 0, 0, 0, 0), 1)), '2025-01-01T00:00:00+00:00');
});

test('property: parse(format(t)) = t, and epoch conversions agree', () => {
  fc.assert(
    fc.property(timestampArb, (t) => {
      assert.ok(isValidTimestamp(t));
      assert.deepEqual(parseTimestamp(formatTimestamp(t)), t);
      const ms = timestampToEpochMs(t);
      const back = timestampFromEpochMs(ms, t.offsetMinutes);
      assert.deepEqual(back, { ...t, microsecond: Math.floor(t.microsecond / 1000) * 1000 });
    }),
    { numRuns: 500 },
  );
});

test('property: the reader never throws on any string', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...Array.from('0123456789-:T.Z+ ')) })),
      (text) => {
        const parsed = parseTimestamp(text);
        if (parsed !== undefined) assert.ok(isValidTimestamp(parsed));
      },
    ),
    { numRuns: 1000 },
  );
});
