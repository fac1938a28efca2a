// A fetch body read up to a cap: whole when it fits, the first `max` bytes and "not complete" when it does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCapped } from '../../src/http/read-capped.js';

function streamed(...parts: string[]): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(Buffer.from(part));
      controller.close();
    },
  });
  return new Response(stream);
}

test('a body that fits is read whole; one past the cap is cut there and says so', async () => {
  assert.deepEqual(await readCapped(streamed('abc', 'def'), 6), {
    bytes: Buffer.from('abcdef'),
    complete: true,
  });
  assert.deepEqual(await readCapped(streamed('abc', 'defg'), 6), {
    bytes: Buffer.from('abcdef'),
    complete: false,
  });
  assert.deepEqual(await readCapped(new Response(null), 6), { bytes: Buffer.alloc(0), complete: true });
});
