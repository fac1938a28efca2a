/** ConnectionDeadlines on the manual clock: idle time, the first request's deadline, the message deadline. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectionDeadlines, type Expiry } from '../../../src/sip/transport/connection-deadlines.js';
import { ManualClock } from '../../support/manual-clock.js';

const TIMEOUTS = { idleTimeoutMs: 600_000, firstRequestTimeoutMs: 30_000, messageTimeoutMs: 32_000 };

function setup(outbound = false): { clock: ManualClock; deadlines: ConnectionDeadlines; expired: Expiry[] } {
  const clock = new ManualClock();
  const expired: Expiry[] = [];
  const deadlines = new ConnectionDeadlines({
    clock,
    timeouts: TIMEOUTS,
    outbound,
    onExpired: (expiry) => expired.push(expiry),
  });
  return { clock, deadlines, expired };
}

describe('ConnectionDeadlines', () => {
  test('an inbound connection with no complete request expires at the first-request deadline, traffic or not', () => {
    const { clock, deadlines, expired } = setup();
    for (let t = 0; t < 29; t++) {
      clock.advance(1000);
      deadlines.activity(); // keep-alives
    }
    assert.deepEqual(expired, []);
    clock.advance(1000);
    assert.deepEqual(expired, ['no-request']);
    assert.equal(clock.pending, 0, 'no timer left');
  });

  test('after a complete request only the idle time applies, and traffic extends it', () => {
    const { clock, deadlines, expired } = setup();
    clock.advance(5000);
    deadlines.requestCompleted();
    clock.advance(100_000);
    deadlines.activity();
    clock.advance(599_999);
    assert.deepEqual(expired, []);
    clock.advance(1);
    assert.deepEqual(expired, ['idle']);
  });

  test('an outbound connection owes no request: the idle time only', () => {
    const { clock, expired } = setup(true);
    clock.advance(599_999);
    assert.deepEqual(expired, []);
    clock.advance(1);
    assert.deepEqual(expired, ['idle']);
  });

  test('a message that started arriving must be complete within the message deadline, however it dribbles', () => {
    const { clock, deadlines, expired } = setup();
    deadlines.requestCompleted();
    clock.advance(10_000);
    deadlines.messageStarted();
    for (let t = 0; t < 31; t++) {
      clock.advance(1000);
      deadlines.activity(); // one more byte
    }
    assert.deepEqual(expired, []);
    clock.advance(1000);
    assert.deepEqual(expired, ['slow-message']);
  });

  test('a message that ends in time lifts its deadline; the next one gets its own', () => {
    const { clock, deadlines, expired } = setup();
    deadlines.requestCompleted();
    deadlines.messageStarted();
    clock.advance(31_000);
    deadlines.messageEnded();
    clock.advance(20_000);
    assert.deepEqual(expired, []);
    deadlines.messageStarted();
    clock.advance(31_999);
    assert.deepEqual(expired, []);
    clock.advance(1);
    assert.deepEqual(expired, ['slow-message']);
  });

  test('stop() cancels everything', () => {
    const { clock, deadlines, expired } = setup();
    deadlines.messageStarted();
    deadlines.stop();
    clock.advance(10_000_000);
    assert.deepEqual(expired, []);
    assert.equal(clock.pending, 0);
  });
});
