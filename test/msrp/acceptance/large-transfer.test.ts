// Relay spec §9.4, test 51: a 100 MB file through the relay in 2 KiB, 16 KiB, 64 KiB, 4 MiB chunks and as one
// chunk. Data is generated on the fly and hashed incrementally on both sides.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertResponse } from '../harness/expect.js';
import { responseTo, show } from '../harness/message.js';
import { MiB, RssSampler } from '../harness/rss.js';
import { openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';
import { FileReceiver, sendFile } from '../harness/transfer.js';

const TOTAL = 100 * MiB; // 104857600 bytes
const RSS_BOUND = 100 * MiB;
const CASES: readonly [string, number | 'single'][] = [
  ['in 64 KiB chunks', 64 * 1024],
  ['in 2 KiB chunks', 2 * 1024],
  ['in 16 KiB chunks', 16 * 1024],
  ['in 4 MiB chunks', 4 * MiB],
  ['as one chunk (Byte-Range 1-*/104857600)', 'single'],
];

describeModes('9.4 large transfers', {}, (s) => {
  for (const [label, chunkSize] of CASES) {
    it(`51 100 MB file ${label}`, { timeout: 180_000 }, async (t) => {
      const session = await openSession(s, s.scope(t));
      const { a, b } = session;
      const rx = new FileReceiver(b, (head) => responseTo(head, 200, 'OK', session.bUri));
      const rss = new RssSampler(s.relay.pid, 100);
      const start = performance.now();
      let sent;
      try {
        sent = await sendFile(a, {
          toPath: session.toB,
          fromPath: s.aUri,
          messageId: 'file51',
          total: TOTAL,
          chunkSize,
          seed: `test 51 ${label}`,
        });
        const chunks = sent.tids.length;
        await b.waitUntil(() => (rx.messages >= chunks ? true : undefined), 60_000, `${chunks} chunks at B`);
        await a.waitUntil(
          () => (a.messages.length >= chunks ? true : undefined),
          60_000,
          `${chunks} responses at A`,
        );
      } finally {
        rss.stop();
      }
      const seconds = (performance.now() - start) / 1000;
      t.diagnostic(
        `${(TOTAL / 1e6 / seconds).toFixed(1)} MB/s, relay RSS +${(rss.growth / MiB).toFixed(1)} MiB`,
      );
      assert.deepEqual(rx.problems, []);
      assert.equal(rx.bodyBytes, TOTAL);
      assert.equal(rx.sha256(), sent.sha256, 'SHA-256 at B');
      assert.deepEqual(rx.byteRanges, sent.byteRanges, 'Byte-Range headers at B');
      assert.deepEqual(
        rx.flags,
        sent.tids.map((_, i) => (i === sent.tids.length - 1 ? '$' : '+')),
      );
      assert.equal(a.messages.length, sent.tids.length, 'A gets one response per chunk and nothing else');
      assertResponse(a.messages[0]!, {
        tid: sent.tids[0]!,
        status: 200,
        comment: 'OK',
        toPath: s.aUri,
        fromPath: session.usePath,
      });
      const wrong = a.messages.find((m, i) => m.status !== 200 || m.tid !== sent.tids[i]);
      assert.equal(wrong, undefined, `responses must be 200s in chunk order:\n${wrong ? show(wrong) : ''}`);
      assert.ok(rss.growth < RSS_BOUND, `relay RSS grew by ${(rss.growth / MiB).toFixed(1)} MiB`);
    });
  }
});
