/** Splitting comma-separated header values (RFC 3261 §7.3.1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstListElement, restOfList, splitList } from '../../../src/sip/grammar/list.js';

test('splits on top-level commas and trims', () => {
  assert.deepEqual(splitList(' a , b,c '), ['a', 'b', 'c']);
});

test('commas inside quoted strings and angle brackets are data', () => {
  assert.deepEqual(splitList('"Bell, Alexander" <sip:a@x;p=1,2>;tag=1, <sip:b@y>'), [
    '"Bell, Alexander" <sip:a@x;p=1,2>;tag=1',
    '<sip:b@y>',
  ]);
  assert.deepEqual(splitList('"a \\", b" <sip:x>, c'), ['"a \\", b" <sip:x>', 'c']);
});

test('empty elements are kept so element parsers can refuse them', () => {
  assert.deepEqual(splitList('a,,b'), ['a', '', 'b']);
  assert.deepEqual(splitList(''), ['']);
});

test('first and rest without splitting everything', () => {
  assert.equal(firstListElement('SIP/2.0/UDP a ;branch=1 , SIP/2.0/UDP b'), 'SIP/2.0/UDP a ;branch=1');
  assert.equal(restOfList('x, y, z'), 'y, z');
  assert.equal(restOfList('x'), undefined);
});
