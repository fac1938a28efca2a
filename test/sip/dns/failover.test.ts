/**
 * RFC 3263 §4.3 failover over a real transaction layer (recording transport, manual clock): the next target
 * after a transport error, a timeout or a 503; one time budget shared equally; stop() and the last target's
 * outcome passed up as it is.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailoverRequest } from '../../../src/sip/dns/failover.js';
import { generateBranch } from '../../../src/sip/message/ids.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { pushVia } from '../../../src/sip/message/via-stack.js';
import type { ClientFailure } from '../../../src/sip/transaction/types.js';
import type { SendTarget } from '../../../src/sip/transport/types.js';
import { isRequest, reply, setup, sipRequest, source } from '../transaction/fixtures.js';

const targets: SendTarget[] = [
  { transport: 'udp', host: '192.0.2.1', port: 5060 },
  { transport: 'udp', host: '192.0.2.2', port: 5060 },
  { transport: 'udp', host: '192.0.2.3', port: 5060 },
];

function run(budgetMs = 32_000, skip: ReadonlySet<string> = new Set()) {
  const env = setup();
  const outcome: { responses: number[]; failures: ClientFailure[]; attempts: SipRequest[] } = {
    responses: [],
    failures: [],
    attempts: [],
  };
  const sentTo: string[] = [];
  const failover = new FailoverRequest({
    transactions: env.layer,
    clock: env.clock,
    budgetMs,
    prepare: (target) => {
      if (skip.has(target.host)) return undefined;
      sentTo.push(target.host);
      const request = sipRequest('MESSAGE', 'z9hG4bKbase');
      pushVia(request.headers, `SIP/2.0/UDP 127.0.0.1:5060;branch=${generateBranch()}`);
      return request;
    },
    handler: {
      onResponse: (response: SipResponse) => outcome.responses.push(response.status),
      onFailure: (reason) => outcome.failures.push(reason),
    },
    onAttempt: (_transaction, request) => outcome.attempts.push(request),
  });
  return { ...env, failover, outcome, sentTo };
}

describe('failover between located targets', () => {
  test('a 503 moves on; the answer of the next target is the one passed up', () => {
    const { layer, failover, outcome, sentTo } = run();
    failover.start(targets);
    layer.receive(reply(outcome.attempts[0]!, 503), source());
    layer.receive(reply(outcome.attempts[1]!, 200), source());
    assert.deepEqual(sentTo, ['192.0.2.1', '192.0.2.2']);
    assert.deepEqual(outcome.responses, [200]);
  });

  test('the budget is shared: each attempt times out after an equal share of what is left', () => {
    const { clock, transport, failover, outcome, sentTo } = run(3_000);
    failover.start(targets);
    clock.advance(999);
    assert.equal(sentTo.length, 1);
    clock.advance(1);
    assert.equal(sentTo.length, 2, 'the first of three got a third');
    clock.advance(1_000);
    assert.equal(sentTo.length, 3, 'the second got half of the 2000 ms left');
    clock.advance(999);
    assert.deepEqual(outcome.failures, []);
    clock.advance(1);
    assert.deepEqual(outcome.failures, ['timeout'], 'the last one had the rest, then the budget was spent');
    assert.ok(transport.times(isRequest('MESSAGE')).every((t) => t < 3_000));
  });

  test('a transport error moves on at once; targets that cannot be prepared are skipped', () => {
    const { transport, failover, outcome, sentTo } = run(32_000, new Set(['192.0.2.2']));
    transport.failNext = true;
    failover.start(targets);
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      assert.deepEqual(sentTo, ['192.0.2.1', '192.0.2.3']);
      assert.equal(outcome.attempts.length, 2);
      assert.deepEqual(outcome.failures, []);
    });
  });

  test('the last target’s 503 is passed up; after stop() no other target is tried', () => {
    const last = run();
    last.failover.start(targets.slice(0, 1));
    last.layer.receive(reply(last.outcome.attempts[0]!, 503), source());
    assert.deepEqual(last.outcome.responses, [503]);

    const stopped = run();
    stopped.failover.start(targets);
    stopped.failover.stop();
    stopped.layer.receive(reply(stopped.outcome.attempts[0]!, 503), source());
    assert.deepEqual(stopped.sentTo, ['192.0.2.1']);
    assert.deepEqual(stopped.outcome.responses, [503]);
  });

  test('no target at all is a transport error', () => {
    const { failover, outcome } = run();
    failover.start([]);
    assert.deepEqual(outcome.failures, ['transport-error']);
  });
});
