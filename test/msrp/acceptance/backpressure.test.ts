// Relay spec §9.4, tests 52 (slow consumer) and 59 (buffering while the outbound connection is CONNECTING).
//
// How "A blocks" is measured: the lead = body bytes A has handed to the kernel minus body bytes B has
// read. A relay that pauses A keeps it under its queue (1 MiB) plus the kernel socket buffers of the two
// connections (about 4 MiB per loopback connection on this gVisor host, measured A → B directly), so
// the bound is 16 MiB with slack. A relay that reads everything lets A run ahead by nearly the whole
// transfer (~31 MiB). Transfers are 32 MiB so that kernel buffers cannot hide unbounded buffering.
//
// RSS: a Node relay's RSS also holds read buffers not yet collected (20–33 MiB seen for a relay that
// does push back), so the RSS bound of test 52 is a sanity bound; the lead is the precise check.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auth } from '../harness/auth.js';
import type { MsrpConnection } from '../harness/connection.js';
import { responseTo } from '../harness/message.js';
import { MiB, RssSampler } from '../harness/rss.js';
import { openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';
import { FileReceiver, type SendProgress, sendFile } from '../harness/transfer.js';
import { sleep } from '../../support/wait.js';

const TOTAL = 32 * MiB;
/**
 * How far A may get ahead of B with the relay pushing back: what the kernel buffers between them (A's send
 * buffer, the relay's receive and send buffers, B's receive buffer; loopback autotunes them, and measured
 * leads ranged from 12 to 16.5 MiB on one machine) plus the relay's own queue. Without pushback A writes
 * all 32 MiB at loopback speed while B has read under 1 MiB, a lead of about 31 MiB: still far above this.
 */
const LEAD_BOUND = 24 * MiB;
/** Test 52: bytes flow throughout, so uncollected garbage counts (see above). */
const RSS_BOUND_FLOWING = 48 * MiB;
/** Test 59: while B is stalled little passes through the relay, so little garbage. */
const RSS_BOUND_STALLED = 16 * MiB;
const READ_RATE = 4 * MiB;
const T = { timeout: 90_000 };

/** Tracks the largest lead of A over B (see the file comment). */
class LeadMeter {
  max = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #a: MsrpConnection;
  readonly #progress: SendProgress;
  readonly #received: () => number;

  constructor(a: MsrpConnection, progress: SendProgress, received: () => number) {
    this.#a = a;
    this.#progress = progress;
    this.#received = received;
    this.#timer = setInterval(() => {
      this.sample();
    }, 50);
  }

  /** Body bytes A has handed to the kernel and B has not read yet. */
  current(): number {
    return this.#progress.bodyBytesWritten - this.#a.socket.writableLength - this.#received();
  }

  sample(): void {
    this.max = Math.max(this.max, this.current());
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;

describeModes('9.4 backpressure', {}, (s) => {
  it(
    `52 slow consumer (B reads ${READ_RATE / MiB} MiB/s, ${TOTAL / MiB} MiB to bound the wall time): A blocks, relay RSS bounded`,
    T,
    async (t) => {
      const session = await openSession(s, s.scope(t));
      const { a, b } = session;
      const rx = new FileReceiver(b, (head) => responseTo(head, 200, 'OK', session.bUri));
      b.limitReadRate(READ_RATE);
      const progress = { bodyBytesWritten: 0 };
      const lead = new LeadMeter(a, progress, () => rx.bodyBytes);
      const rss = new RssSampler(s.relay.pid);
      let sent;
      try {
        sent = await sendFile(
          a,
          {
            toPath: session.toB,
            fromPath: s.aUri,
            messageId: 'm52',
            total: TOTAL,
            chunkSize: 64 * 1024,
            seed: 'test 52',
          },
          progress,
        );
        await b.waitUntil(() => (rx.bodyBytes >= TOTAL ? true : undefined), 30_000, 'all bytes at B');
      } finally {
        lead.stop();
        rss.stop();
      }
      t.diagnostic(`max lead ${mib(lead.max)}, relay RSS growth ${mib(rss.growth)}`);
      assert.equal(rx.sha256(), sent.sha256);
      assert.ok(lead.max < LEAD_BOUND, `A ran ${mib(lead.max)} ahead of B: the relay did not push back`);
      assert.ok(rss.growth < RSS_BOUND_FLOWING, `relay RSS grew by ${mib(rss.growth)}`);
    },
  );

  it(
    `59 buffering while CONNECTING: A is paused, relay RSS bounded (Target; ${TOTAL / MiB} MiB)`,
    T,
    async (t) => {
      // TLS: B does not start the handshake for 5 s, so the relay's connection stays CONNECTING.
      // Plain TCP: gVisor completes loopback handshakes in the kernel, so a delayed accept cannot be seen
      // by the relay; there B reads nothing for 5 s instead.
      const scope = s.scope(t);
      const endpoint = await scope.endpoint({ startDelayMs: 5000 });
      const a = await scope.client();
      const { usePath } = await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
      const progress = { bodyBytesWritten: 0 };
      const rss = new RssSampler(s.relay.pid);
      const file = {
        toPath: `${usePath} ${endpoint.uri()}`,
        fromPath: s.aUri,
        messageId: 'm59',
        total: TOTAL,
        chunkSize: 64 * 1024,
        seed: 'test 59',
      };
      const sending = sendFile(a, file, progress);
      sending.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
      await sleep(4500);
      const stalledLead = progress.bodyBytesWritten - a.socket.writableLength;
      const stalledRss = rss.peak - rss.baseline;
      const b = await endpoint.nextConnection(10_000);
      const rx = new FileReceiver(b, (head) => responseTo(head, 200, 'OK', endpoint.uri()));
      let sent;
      try {
        sent = await sending;
        await b.waitUntil(() => (rx.bodyBytes >= TOTAL ? true : undefined), 30_000, 'all bytes at B');
      } finally {
        rss.stop();
      }
      t.diagnostic(`while stalled: lead ${mib(stalledLead)}, relay RSS growth ${mib(stalledRss)}`);
      assert.ok(stalledLead < LEAD_BOUND, `A got ${mib(stalledLead)} into the relay while B was not reading`);
      assert.ok(
        stalledRss < RSS_BOUND_STALLED,
        `relay RSS grew by ${mib(stalledRss)} while B was not reading`,
      );
      assert.equal(rx.sha256(), sent.sha256);
      assert.deepEqual(rx.problems, []);
    },
  );
});
