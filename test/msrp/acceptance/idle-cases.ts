// Relay spec §9.2 test 35 (idle NEW connection closed by the invalid-connection timer), shared by the
// short-timer file and the one at the real 30 s default.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auth, authRequest, authorization, requestChallenge } from '../harness/auth.js';
import type { MsrpConnection } from '../harness/connection.js';
import { lines } from '../harness/message.js';
import type { Suite } from '../harness/suite.js';
import { since, sleep } from '../../support/wait.js';

type Activity = (s: Suite, a: MsrpConnection, timeoutMs: number) => Promise<void>;

const activities: Record<string, Activity> = {
  'no bytes': async () => {
    // nothing
  },
  'only invalid messages': async (s, a, timeoutMs) => {
    await a.write('\r\nHELLO WORLD\r\n');
    await sleep(timeoutMs / 3);
    await a.write(lines('MSRP a1234567 AUTH', `To-Path: ${s.domainUri}`, '-------a1234567$')); // no From-Path
  },
  'only 401s and a failed login': async (s, a, timeoutMs) => {
    await requestChallenge(a, { toUri: s.domainUri, fromUri: s.aUri });
    await sleep(timeoutMs / 3);
    const ch = await requestChallenge(a, { toUri: s.domainUri, fromUri: s.aUri });
    const wrong = authorization(ch, s.domainUri, { password: 'wrong' });
    await a.write(authRequest({ toUri: s.domainUri, fromUri: s.aUri, headers: [['Authorization', wrong]] }));
    assert.equal((await a.nextMessage()).status, 403);
    await sleep(timeoutMs / 3);
    await requestChallenge(a, { toUri: s.domainUri, fromUri: s.aUri });
  },
};

/**
 * One test per activity (only "no bytes" when `allActivities` is false): the connection closes
 * timeoutMs after accept, not before (timers do not fire early, whatever the load), and within a bound that
 * a loaded machine keeps (the relay's own process and clock: the exact instant is checked in-process with
 * the manual clock, test/msrp/invalid-connection-timer.test.ts); an authenticated one is not closed.
 */
export function idleConnectionTests(s: Suite, timeoutMs: number, allActivities = true): void {
  const T = { timeout: timeoutMs + 30_000 };
  for (const [name, activity] of Object.entries(activities)) {
    if (!allActivities && name !== 'no bytes') continue;
    it(`35 idle NEW connection (${name}) is closed ${timeoutMs / 1000} s after accept`, T, async (t) => {
      const start = performance.now();
      const a = await s.scope(t).client();
      await activity(s, a, timeoutMs);
      await a.expectClosed(timeoutMs + LOADED_MACHINE_MS - since(start));
      const elapsed = since(start);
      assert.ok(elapsed > timeoutMs - 200, `closed after ${Math.round(elapsed)} ms, before the timer`);
    });
  }

  if (!allActivities) return;
  it('35 an authenticated connection is not closed by the timer', T, async (t) => {
    const start = performance.now();
    const a = await s.scope(t).client();
    await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    // Past the timer, the connection still answers: a second AUTH there gets its 481 (relay spec §9.2 test
    // 30).
    await sleep(timeoutMs + 500 - since(start));
    await a.write(authRequest({ toUri: s.domainUri, fromUri: s.aUri }));
    assert.equal((await a.nextMessage()).status, 481);
    assert.equal(a.closed, false);
  });
}

/** How late a timer of the relay process may fire on a loaded machine without the test failing. */
const LOADED_MACHINE_MS = 10_000;
