// B → A through the connection the relay opened to B (relay spec §3.6 in the other direction). Over plain
// TCP the relay reads that connection into one buffer of its own, reused by the next read (net.connect's
// `onread`): whatever it still holds of a read (body slices queued for a slow A, a split head) must be its
// own copy, or later reads overwrite it. A reads slowly so that the relay holds B's bytes for a while; a
// single overwritten byte changes the digest.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { responseTo } from '../harness/message.js';
import { MiB } from '../harness/rss.js';
import { openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';
import { FileReceiver, sendFile } from '../harness/transfer.js';

const TOTAL = 8 * MiB;

describeModes('relayed from the next hop back to the sender', {}, (s) => {
  it(`B sends ${TOTAL / MiB} MiB in 50,000-byte chunks to a slow A: every byte arrives`, {
    timeout: 120_000,
  }, async (t) => {
    const session = await openSession(s, s.scope(t));
    const { a, b } = session;
    const rx = new FileReceiver(a, (head) => responseTo(head, 200, 'OK', s.aUri));
    a.limitReadRate(4 * MiB);
    // A chunk size that does not divide a read: heads, bodies and end-lines fall across the relay's reads.
    const sent = await sendFile(b, {
      toPath: session.fromA, // the relay's URI for the session, then A
      fromPath: session.bUri,
      messageId: 'back1',
      total: TOTAL,
      chunkSize: 50_000,
      seed: 'reverse transfer',
    });
    await a.waitUntil(() => (rx.bodyBytes >= TOTAL ? true : undefined), 90_000, 'all bytes at A');
    assert.deepEqual(rx.problems, []);
    assert.equal(rx.sha256(), sent.sha256, 'the bytes A got are the bytes B sent');
  });
});
