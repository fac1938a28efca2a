/** The Retry-After parser (RFC 9110 §10.2.3): seconds or an HTTP-date, capped, never throwing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../src/push/retry-after.js';

const NOW = Date.UTC(2026, 11, 7, 1, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('30', NOW), 30_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  });

  it('reads an HTTP-date as the time left until it', () => {
    assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
    assert.equal(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW), 0);
  });

  it('caps what it reads at an hour', () => {
    assert.equal(parseRetryAfter('86400', NOW), RETRY_AFTER_CAP_MS);
    assert.equal(parseRetryAfter(new Date(NOW + 86_400_000).toUTCString(), NOW), RETRY_AFTER_CAP_MS);
  });

  it('gives undefined for what is neither', () => {
    for (const value of [undefined, null, '', '-1', '12.5', 'soon', '1e3', 'x'.repeat(100), '12345678901']) {
      assert.equal(parseRetryAfter(value, NOW), undefined, String(value));
    }
  });

  it('never throws and stays within 0 and the cap for any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat().map(String),
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? '' : d.toUTCString())),
        ),
        (value) => {
          const parsed = parseRetryAfter(value, NOW);
          assert.ok(
            parsed === undefined || (Number.isInteger(parsed) && parsed >= 0 && parsed <= RETRY_AFTER_CAP_MS),
          );
        },
      ),
    );
  });
});
