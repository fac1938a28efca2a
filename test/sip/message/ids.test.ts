/** Generated branches, tags and Call-IDs (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isToken } from '../../../src/sip/grammar/chars.js';
import { isValidCallId } from '../../../src/sip/headers/call-id.js';
import { isRfc3261Branch, parseVia } from '../../../src/sip/headers/via.js';
import { generateBranch, generateCallId, generateTag } from '../../../src/sip/message/ids.js';

test('branches carry the magic cookie, are tokens and unique', () => {
  const branches = new Set(Array.from({ length: 1000 }, generateBranch));
  assert.equal(branches.size, 1000);
  for (const branch of branches) {
    assert.ok(isRfc3261Branch(branch), branch);
    assert.ok(isToken(branch), branch);
    assert.ok(branch.length >= 7 + 22);
    assert.equal(parseVia(`SIP/2.0/UDP h;branch=${branch}`)?.branch, branch);
  }
});

test('tags are tokens with at least 32 random bits, and unique', () => {
  const tags = new Set(Array.from({ length: 1000 }, generateTag));
  assert.equal(tags.size, 1000);
  for (const tag of tags) assert.ok(isToken(tag) && tag.length >= 16, tag);
});

test('Call-IDs are valid words, optionally @host', () => {
  assert.ok(isValidCallId(generateCallId()));
  const withHost = generateCallId('192.0.2.1');
  assert.ok(isValidCallId(withHost));
  assert.ok(withHost.endsWith('@192.0.2.1'));
  assert.notEqual(generateCallId(), generateCallId());
});
