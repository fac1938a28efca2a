// The web chat's MD5 (src/web/client/md5.ts, the HA1 of the sign-in) against node:crypto, for any text.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { md5Hex } from '../../../src/web/client/md5.js';

const nodeMd5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

test('md5Hex: the RFC 1321 test suite', () => {
  assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(
    md5Hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890'),
    '57edf4a22be3c955ac49da2e2107b67a',
  );
});

test('md5Hex: equal to node:crypto for any text, across the 55/56/64-byte padding edges', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
      assert.equal(md5Hex(text), nodeMd5(text));
    }),
    { numRuns: 500 },
  );
  for (let length = 50; length <= 130; length++)
    assert.equal(md5Hex('x'.repeat(length)), nodeMd5('x'.repeat(length)));
});
