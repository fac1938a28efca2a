/** PendingSends: the forwarded SEND parts of one connection awaiting a response, and the REPORTs owed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PendingSends } from '../../src/msrp/relay/pending-sends.js';
import type { TrackedSend } from '../../src/msrp/relay/transactions.js';
import { DeadlineQueue } from '../../src/time/deadline-queue.js';
import { ManualClock } from '../support/manual-clock.js';

function setup(): { clock: ManualClock; pending: PendingSends; reports: string[] } {
  const clock = new ManualClock();
  const reports: string[] = [];
  const reporter = {
    reportSend: (tracked: TrackedSend, code: number, comment: string | undefined): void => {
      reports.push(`${tracked.tid} ${code}${comment === undefined ? '' : ` ${comment}`}`);
    },
  };
  return { clock, pending: new PendingSends(reporter, new DeadlineQueue(clock), 30_000), reports };
}

function part(tid: string): TrackedSend {
  return {
    tid,
    start: 1,
    bytes: 3,
    reportTo: 'a',
    reportFrom: 'r',
    messageId: 'm',
    total: 3,
    timer: undefined,
  };
}

describe('PendingSends', () => {
  test('a response takes its part once; a timed-out part is reported 408 after the timeout, not before', () => {
    const { clock, pending, reports } = setup();
    const t1 = part('t1');
    const t2 = part('t2');
    pending.trackSend(t1);
    pending.trackSend(t2);
    pending.armSendTimeout(t1);
    pending.armSendTimeout(t2);
    assert.equal(pending.take('t1'), t1);
    assert.equal(pending.take('t1'), undefined, 'a second response for the same tid');
    assert.equal(pending.take('other'), undefined);
    clock.advance(29_999);
    assert.deepEqual(reports, []);
    clock.advance(1);
    assert.deepEqual(reports, ['t2 408'], 't1 was answered, its timer cancelled');
    assert.equal(pending.take('t2'), undefined, 'a timed-out part is no longer pending');
  });

  test('the session going away reports every pending part once; a closed connection reports none', () => {
    const { clock, pending, reports } = setup();
    for (const tid of ['a', 'b']) {
      const tracked = part(tid);
      pending.trackSend(tracked);
      pending.armSendTimeout(tracked);
    }
    pending.trackSend(part('c')); // head written, end-line not yet: no timer
    pending.failAll('Session got disconnected');
    assert.deepEqual(reports, [
      'a 408 Session got disconnected',
      'b 408 Session got disconnected',
      'c 408 Session got disconnected',
    ]);
    clock.advance(60_000);
    assert.equal(reports.length, 3, 'no timeout fires afterwards');

    const closed = setup();
    const x = part('x');
    closed.pending.trackSend(x);
    closed.pending.armSendTimeout(x);
    closed.pending.cancelAll();
    closed.clock.advance(60_000);
    assert.deepEqual(closed.reports, []);
    assert.equal(closed.pending.take('x'), undefined);
  });

  test('a part answered before its end-line was written gets no timeout, nor does a part tracked again', () => {
    const { clock, pending, reports } = setup();
    const fast = part('f');
    pending.trackSend(fast);
    assert.equal(pending.take('f'), fast); // the next hop answered while the end-line was still queued
    pending.armSendTimeout(fast);
    const again = part('f'); // the same tid on a later part: its own transaction
    pending.trackSend(again);
    pending.armSendTimeout(fast);
    clock.advance(60_000);
    assert.deepEqual(reports, [], 'the answered part is not reported, the new one has no timer yet');
    pending.armSendTimeout(again);
    clock.advance(30_000);
    assert.deepEqual(reports, ['f 408']);
  });
});
