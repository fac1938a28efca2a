/** The growable buffer that holds a message split across reads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingBytes } from '../../../src/sip/parser/pending-bytes.js';

test('append, view, consume, replace, clear', () => {
  const pending = new PendingBytes();
  for (const byte of Buffer.from('hello world')) pending.append(Buffer.from([byte]));
  assert.equal(pending.view().toString(), 'hello world');
  pending.consume(6);
  assert.equal(pending.view().toString(), 'world');
  pending.replace(Buffer.from('new'));
  assert.equal(pending.view().toString(), 'new');
  pending.consume(10);
  assert.equal(pending.length, 0);
  pending.append(Buffer.alloc(100_000, 1));
  assert.equal(pending.length, 100_000);
  pending.clear();
  assert.equal(pending.view().length, 0);
});

test('replace copies: the source may change afterwards', () => {
  const pending = new PendingBytes();
  const source = Buffer.from('abc');
  pending.replace(source);
  source.fill(0);
  assert.equal(pending.view().toString(), 'abc');
});
