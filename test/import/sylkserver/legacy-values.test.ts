// SylkServer's stored values (sylk spec §3.2, §3.3, §3.10) read for the import: naive local times, message
// timestamps with offsets, and each journal field checked, with a problem named for what is not readable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  checkLegacyEntry,
  legacyTime,
  legacyTimestamp,
  utcTimestamp,
} from '../../../src/import/sylkserver/legacy-values.js';

const raw = {
  messageId: 'm1',
  contact: 'bob@example.com',
  direction: 'incoming',
  contentType: 'text/plain',
  content: 'hi',
  createdAt: 1_714_557_600_000,
  disposition: ['display'],
  state: 'received',
  timestamp: '2024-05-01T10:00:00+00:00',
};

describe('SylkServer values', () => {
  test('a naive time is local time, microseconds cut to milliseconds; an impossible date is refused', () => {
    assert.equal(legacyTime('2024-05-01 10:00:00.123456'), new Date(2024, 4, 1, 10, 0, 0, 123).getTime());
    assert.equal(legacyTime('2024-05-01 10:00:00'), new Date(2024, 4, 1, 10, 0, 0, 0).getTime());
    assert.equal(legacyTime('2024-05-01 10:00:00+02:00'), Date.parse('2024-05-01T08:00:00Z'));
    assert.equal(legacyTime('2024-02-30 10:00:00'), undefined);
    assert.equal(legacyTime('yesterday'), undefined);
  });

  test('message timestamps become Python isoformat, offset kept', () => {
    assert.equal(legacyTimestamp('2024-05-01 10:00:00.123000+00:00'), '2024-05-01T10:00:00.123000+00:00');
    assert.equal(legacyTimestamp('2024-05-01 12:01:00+02:00'), '2024-05-01T12:01:00+02:00');
    assert.equal(legacyTimestamp('not a time'), undefined);
    assert.equal(utcTimestamp(Date.parse('2024-05-01T10:00:00.120Z')), '2024-05-01T10:00:00.120000+00:00');
    assert.equal(utcTimestamp(Date.parse('2024-05-01T10:00:00Z')), '2024-05-01T10:00:00+00:00');
  });

  test('every field is checked; "" disposition is an empty list (sylk spec §3.4 step 5)', () => {
    assert.deepEqual(checkLegacyEntry(raw), { ok: true, entry: raw });
    assert.deepEqual(checkLegacyEntry({ ...raw, disposition: '' }), {
      ok: true,
      entry: { ...raw, disposition: [] },
    });
    assert.deepEqual(checkLegacyEntry({ ...raw, state: '' }), { ok: true, entry: { ...raw, state: null } });
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ messageId: '' }, /no message_id/],
      [{ contact: 3 }, /m1: no contact/],
      [{ direction: 'sideways' }, /unknown direction sideways/],
      [{ state: 'lost' }, /unknown state lost/],
      [{ disposition: [1] }, /disposition is not a list/],
      [{ createdAt: undefined }, /created_at is not a time/],
      [{ timestamp: undefined }, /msg_timestamp is not a time/],
    ];
    for (const [change, problem] of refused) {
      const result = checkLegacyEntry({ ...raw, ...change });
      assert.ok(!result.ok);
      assert.match(result.problem, problem);
    }
  });

  test('no text makes the readers throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        legacyTime(text);
        legacyTimestamp(text);
      }),
    );
  });
});
