/**
 * Ha1Check behind a proxy (src/web/sylkrtc/ha1-check.ts, sylk spec §1.7.1): the upstream registrar's final
 * answer is the outcome, and only an answer about the credentials counts in the failed-login limiter. The
 * registrar here is a recording stand-in for messaging/upstream-registration.ts (which the Kamailio test,
 * test/interop/behind-kamailio-sylkrtc.test.ts, drives for real); the limiter is the real one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginLimiter } from '../../../src/auth/login-limiter.js';
import { MemoryCredentialStore } from '../../../src/credentials/memory.js';
import { Ha1Check, type UpstreamRegistrar } from '../../../src/web/sylkrtc/ha1-check.js';
import { ManualClock } from '../../support/manual-clock.js';
import { ha1 } from '../../support/websocket-client.js';

const ALICE = 'alice@example.com';
const SOURCE = '192.0.2.7';

/** Answers every REGISTER with `status reason`, and keeps what it was asked. */
class Registrar implements UpstreamRegistrar {
  readonly asked: [string, string][] = [];
  readonly #status: number;
  readonly #reason: string;
  constructor(status: number, reason: string) {
    this.#status = status;
    this.#reason = reason;
  }
  register(account: string, key: string): Promise<{ status: number; reason: string }> {
    this.asked.push([account, key]);
    return Promise.resolve({ status: this.#status, reason: this.#reason });
  }
}

describe('Ha1Check behind a proxy: the upstream answer decides', () => {
  const key = ha1(ALICE, 'secret');
  // The local table says otherwise, to show it is not read.
  const credentials = new MemoryCredentialStore([[ALICE, 'other']]);

  test('a 2xx is the right HA1; 401, 403 and 407 a wrong one with the registrar’s words; others say nothing of it', async () => {
    const cases: readonly (readonly [number, string, unknown])[] = [
      [200, 'OK', { kind: 'ok' }],
      [202, 'Accepted', { kind: 'ok' }],
      [401, 'Unauthorized', { kind: 'wrong', reason: '401 Unauthorized' }],
      [403, 'Forbidden auth ID', { kind: 'wrong', reason: '403 Forbidden auth ID' }],
      [407, 'Proxy Authentication Required', { kind: 'wrong', reason: '407 Proxy Authentication Required' }],
      [408, 'Request Timeout', { kind: 'unavailable', reason: '408 Request Timeout' }],
      [503, 'Service Unavailable', { kind: 'unavailable', reason: '503 Service Unavailable' }],
    ];
    for (const [status, reason, outcome] of cases) {
      const registrar = new Registrar(status, reason);
      const check = new Ha1Check(credentials, new LoginLimiter(new ManualClock(0)), undefined, registrar);
      assert.deepEqual(await check.verify(SOURCE, ALICE, key), outcome, String(status));
      assert.deepEqual(registrar.asked, [[ALICE, key]], String(status));
    }
  });

  test('refusals count as failed logins until the pair is blocked; unavailability does not; not an HA1 is not sent', async () => {
    const gate = new LoginLimiter(new ManualClock(0), { pairMaxFailures: 2 });
    const refusing = new Ha1Check(credentials, gate, undefined, new Registrar(401, 'Unauthorized'));
    const down = new Registrar(503, 'Service Unavailable');
    const unavailable = new Ha1Check(credentials, gate, undefined, down);
    for (let i = 0; i < 3; i++) {
      assert.equal((await unavailable.verify(SOURCE, ALICE, key)).kind, 'unavailable');
    }
    assert.equal((await refusing.verify(SOURCE, ALICE, key)).kind, 'wrong');
    assert.equal((await refusing.verify(SOURCE, ALICE, key)).kind, 'wrong');
    assert.equal((await refusing.verify(SOURCE, ALICE, key)).kind, 'blocked');
    // Blocked before anything is sent upstream.
    const asked = down.asked.length;
    assert.equal((await unavailable.verify(SOURCE, ALICE, key)).kind, 'blocked');
    assert.equal(down.asked.length, asked);
    const registrar = new Registrar(200, 'OK');
    const check = new Ha1Check(credentials, new LoginLimiter(new ManualClock(0)), undefined, registrar);
    assert.deepEqual(await check.verify(SOURCE, ALICE, 'secret'), { kind: 'wrong' });
    assert.deepEqual(registrar.asked, []);
  });
});
