/** PendingRequests: forwarded non-SEND requests awaiting their response, and the 408 owed after the timeout. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeaderList, type MsrpHead } from '../../src/msrp/message.js';
import { PendingRequests } from '../../src/msrp/relay/pending-requests.js';
import { DeadlineQueue } from '../../src/time/deadline-queue.js';
import { ManualClock } from '../support/manual-clock.js';

function request(tid: string): MsrpHead {
  return {
    tid,
    method: 'NICKNAME',
    status: undefined,
    comment: undefined,
    headers: new HeaderList(),
    hasBody: false,
    malformedLines: 0,
  };
}

function setup(): { clock: ManualClock; pending: PendingRequests; written: string[] } {
  const clock = new ManualClock();
  const written: string[] = [];
  const writer = {
    sendControl: (message: Buffer): void => {
      written.push(message.toString('utf8'));
    },
  };
  return { clock, pending: new PendingRequests(writer, new DeadlineQueue(clock), 30_000), written };
}

describe('PendingRequests', () => {
  test('a response takes its request once; an unanswered one gets a 408 with its own tid at the timeout', () => {
    const { clock, pending, written } = setup();
    pending.add(
      request('n1'),
      'f1',
      'msrp://a.example.com:9000/a1;tcp',
      'msrp://relay.example.com:2855/s1;tcp',
    );
    pending.add(
      request('n2'),
      'f2',
      'msrp://a.example.com:9000/a1;tcp',
      'msrp://relay.example.com:2855/s1;tcp',
    );
    assert.equal(pending.take('f1')?.originalTid, 'n1');
    assert.equal(pending.take('f1'), undefined, 'a second response for the same tid');
    clock.advance(29_999);
    assert.deepEqual(written, []);
    clock.advance(1);
    assert.equal(written.length, 1);
    assert.equal(
      written[0],
      'MSRP n2 408 Downstream transaction timed out\r\n' +
        'To-Path: msrp://a.example.com:9000/a1;tcp\r\n' +
        'From-Path: msrp://relay.example.com:2855/s1;tcp\r\n' +
        '-------n2$\r\n',
    );
    assert.equal(pending.take('f2'), undefined, 'a timed-out request is no longer pending');
  });

  test('after cancelAll nothing is answered', () => {
    const { clock, pending, written } = setup();
    pending.add(request('n1'), 'f1', 'a', 'r');
    pending.cancelAll();
    clock.advance(60_000);
    assert.deepEqual(written, []);
    assert.equal(pending.take('f1'), undefined);
  });
});
