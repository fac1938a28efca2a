/** Case-insensitive header-name comparison: the allocation-free version must agree with toLowerCase. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { equalsIgnoreCase, startsWithIgnoreCase } from '../../src/msrp/message.js';

// ASCII around the letters' case bit (@ [ ` {), then the non-ASCII characters whose case mapping is special.
const CHARS = Array.from(
  'aAzZmM@[`{-_09 \u00e9\u00c9\u0130\u0131\u212a\u03a3\u03c3\u03c2\u00df\u017f\u{1F600}',
);
const textArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((chars) => chars.join(''));

test('equalsIgnoreCase(a, b) is a.toLowerCase() === b.toLowerCase() for same-length strings', () => {
  fc.assert(
    fc.property(textArb, textArb, fc.boolean(), (a, b, flip) => {
      // Often the same word in another case, so that the interesting branch is taken.
      const other = flip ? a.toUpperCase().slice(0, a.length) : b;
      const expected = a.length === other.length && a.toLowerCase() === other.toLowerCase();
      assert.equal(equalsIgnoreCase(a, other), expected, JSON.stringify([a, other]));
    }),
    { numRuns: 5000 },
  );
});

test('startsWithIgnoreCase(text, prefix) is equalsIgnoreCase on the prefix-length slice', () => {
  fc.assert(
    fc.property(textArb, textArb, fc.boolean(), (tail, prefix, flip) => {
      const text = flip ? prefix.toUpperCase() + tail : tail;
      const expected =
        text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
      assert.equal(startsWithIgnoreCase(text, prefix), expected, JSON.stringify([text, prefix]));
    }),
    { numRuns: 5000 },
  );
});

test('header names in any case', () => {
  assert.ok(equalsIgnoreCase('content-TYPE', 'Content-Type'));
  assert.ok(!equalsIgnoreCase('Content-Typf', 'Content-Type'));
  assert.ok(!equalsIgnoreCase('@', '`')); // differ only in the case bit, but are not letters
  assert.ok(startsWithIgnoreCase('CONTENT-Disposition', 'Content-'));
  assert.ok(!startsWithIgnoreCase('Content', 'Content-'));
});
