// Relay spec §9.3, test 41: downstream transaction timeout, with transaction_timeout = 2 s instead of 30 s;
// and the next hop's 200s end their transactions however they arrive (the relay's shortcut for plain 200s).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertRelayReport, assertResponse } from '../harness/expect.js';
import { type HeaderList, header, request, show } from '../harness/message.js';
import { ok, openSession, type Session } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';
import { since } from '../../support/wait.js';

const TIMEOUT_S = 2;
const T = { timeout: 30_000 };
/** How late a timer of the relay process may fire on a loaded machine without the test failing. */
const LOADED_MACHINE_MS = 10_000;

/**
 * The positive sign that every transaction timer started before it has fired: A sends a SEND that B never
 * answers, and its REPORT 408 must be the next thing A gets after the 200. A REPORT 408 for an earlier
 * transaction (same timeout, started earlier) would have come first.
 */
async function laterTimeoutFirst(session: Session): Promise<void> {
  const { a, b } = session;
  await a.write(
    request({
      tid: 'sentinel',
      method: 'SEND',
      toPath: session.toB,
      fromPath: session.aUri,
      headers: [
        ['Message-ID', 'sentinel'],
        ['Byte-Range', '1-5/5'],
        ['Content-Type', 'text/plain'],
      ],
      body: 'later',
    }),
  );
  const accepted = await a.nextMessage();
  assert.equal(accepted.tid, 'sentinel', `something reached A before the sentinel's 200:\n${show(accepted)}`);
  assert.equal(header(await b.nextMessage(), 'Message-ID'), 'sentinel'); // B never answers
  const report = await a.nextMessage(TIMEOUT_S * 1000 + LOADED_MACHINE_MS);
  assert.equal(header(report, 'Message-ID'), 'sentinel', `something reached A first:\n${show(report)}`);
  assert.equal(header(report, 'Status'), '000 408', show(report));
}

describeModes(
  '9.3 transaction timeout',
  { settings: { transaction_timeout: TIMEOUT_S }, concurrency: true },
  (s) => {
    const headersFor = (fr: string | undefined): HeaderList => [
      ['Message-ID', 'm1'],
      ['Byte-Range', '1-5/5'],
      ...(fr === undefined ? [] : [['Failure-Report', fr] as [string, string]]),
      ['Content-Type', 'text/plain'],
    ];

    for (const fr of [undefined, 'partial'] as const) {
      const label = fr === undefined ? 'Failure-Report absent' : 'Failure-Report partial (Target)';
      it(`41 ${label}: REPORT 408 ${TIMEOUT_S} s after the chunk was written`, T, async (t) => {
        const session = await openSession(s, s.scope(t));
        const { a, b } = session;
        await a.write(
          request({
            tid: 's4100000',
            method: 'SEND',
            toPath: session.toB,
            fromPath: s.aUri,
            headers: headersFor(fr),
            body: 'hello',
          }),
        );
        if (fr === undefined) {
          assertResponse(await a.nextMessage(), {
            tid: 's4100000',
            status: 200,
            comment: 'OK',
            toPath: s.aUri,
            fromPath: session.usePath,
          });
        }
        await b.nextMessage(); // B never answers
        const written = performance.now();
        const report = await a.nextMessage(TIMEOUT_S * 1000 + LOADED_MACHINE_MS);
        const elapsed = since(written);
        assertRelayReport(report, {
          toPath: s.aUri,
          fromPath: session.usePath,
          status: '000 408',
          messageId: 'm1',
          byteRange: '1-5/5',
        });
        assert.ok(
          elapsed > TIMEOUT_S * 1000 - 200 && elapsed < TIMEOUT_S * 1000 + LOADED_MACHINE_MS,
          `REPORT after ${Math.round(elapsed)} ms`,
        );
      });
    }

    it("B's 200s split across reads, between others, each end their SEND's transaction", T, async (t) => {
      const session = await openSession(s, s.scope(t));
      const { a, b } = session;
      const tids = ['s4200000', 's4200001', 's4200002', 's4200003'];
      for (const tid of tids) {
        await a.write(
          request({
            tid,
            method: 'SEND',
            toPath: session.toB,
            fromPath: s.aUri,
            headers: headersFor(undefined),
            body: 'hello',
          }),
        );
      }
      const forwarded = await b.nextMessages(tids.length);
      for (const tid of tids) assert.equal((await a.nextMessage()).tid, tid, 'the hop-by-hop 200s');
      const [first, second, third, fourth] = forwarded.map((req) => ok(session, req));
      assert.ok(first && second && third && fourth);
      const untracked = ok(session, { ...(forwarded[0] ?? assert.fail()), tid: 'unknown1' });
      // One read of two 200s and the start of a third; then the rest, a 200 for no transaction, the last.
      const all = Buffer.concat([first, second, third, untracked, fourth]);
      const cut = first.length + second.length + 7;
      await b.write(all.subarray(0, cut));
      await b.write(all.subarray(cut));
      // A lost 200 would show as a REPORT 408 once the timeout has passed.
      await laterTimeoutFirst(session);
    });

    it('41 Failure-Report no: nothing after the timeout', T, async (t) => {
      const session = await openSession(s, s.scope(t));
      await session.a.write(
        request({
          tid: 's4100001',
          method: 'SEND',
          toPath: session.toB,
          fromPath: s.aUri,
          headers: headersFor('no'),
          body: 'hello',
        }),
      );
      await session.b.nextMessage();
      await laterTimeoutFirst(session);
    });
  },
);
