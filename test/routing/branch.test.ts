/** Branch (routing/proxy/branch.ts): its states, its CANCEL state, its fallbacks and Timer C, by hand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Branch } from '../../src/routing/proxy/branch.js';
import type { LocalTarget, NetworkTarget } from '../../src/routing/proxy/forward-target.js';
import { SipResponse } from '../../src/sip/message/message.js';
import { parseUri } from '../../src/sip/uri.js';
import { ManualClock } from '../support/manual-clock.js';

const local: LocalTarget = {
  kind: 'local',
  name: 'app',
  afterSuccess: true,
  handle: () => Promise.resolve({ status: 200 }),
};

function network(uri: string): NetworkTarget {
  const parsed = parseUri(uri);
  assert.ok(parsed !== undefined);
  return { kind: 'network', uri: parsed };
}

function response(status: number): SipResponse {
  return new SipResponse({ status, reason: String(status) });
}

describe('Branch', () => {
  it('a waiting branch starts once, then completes once; only a started gating branch gates', () => {
    const branch = new Branch({ gatesFinal: true, waiting: local });
    assert.equal(branch.state, 'waiting');
    assert.equal(branch.gating, false);
    assert.equal(branch.start(), local);
    assert.equal(branch.state, 'proceeding');
    assert.equal(branch.gating, true);
    assert.equal(branch.start(), undefined);
    assert.equal(branch.complete(response(200)), true);
    assert.equal(branch.complete(response(500)), false);
    assert.equal(branch.final?.status, 200);
    assert.equal(branch.state, 'completed');
    assert.equal(branch.gating, false);
  });

  it('a network branch proceeds at once and hands out its fallbacks in order', () => {
    const branch = new Branch({ gatesFinal: false });
    assert.equal(branch.state, 'proceeding');
    assert.equal(branch.gating, false);
    branch.setFallbacks([network('sip:a@127.0.0.1:5071'), network('sip:a@127.0.0.1:5072')]);
    assert.equal(branch.takeFallback()?.uri.toString(), 'sip:a@127.0.0.1:5071');
    assert.equal(branch.takeFallback()?.uri.toString(), 'sip:a@127.0.0.1:5072');
    assert.equal(branch.takeFallback(), undefined);
  });

  it('CANCEL goes none → wanted → sent, and wanting it twice changes nothing', () => {
    const branch = new Branch({ gatesFinal: false });
    assert.equal(branch.cancel, 'none');
    branch.wantCancel();
    branch.wantCancel();
    assert.equal(branch.cancel, 'wanted');
    branch.cancelSent();
    branch.wantCancel();
    assert.equal(branch.cancel, 'sent');
  });

  it('Timer C restarts on each provisional response and stops when the branch completes', () => {
    const clock = new ManualClock();
    const branch = new Branch({ gatesFinal: false });
    let fired = 0;
    branch.restartTimerC(clock, 1000, () => fired++);
    clock.advance(900);
    branch.restartTimerC(clock, 1000, () => fired++);
    clock.advance(900);
    assert.equal(fired, 0);
    clock.advance(100);
    assert.equal(fired, 1);
    branch.restartTimerC(clock, 1000, () => fired++);
    branch.complete(response(486));
    assert.equal(clock.pending, 0);
  });
});
