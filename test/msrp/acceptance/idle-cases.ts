// Spec §9.2 test 35 (idle NEW connection closed by the invalid-connection timer), shared by the
// short-timer file and the one at the real 30 s default.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auth, authRequest, authorization, requestChallenge } from '../harness/auth.js';
import type { MsrpConnection } from '../harness/connection.js';
import { lines } from '../harness/message.js';
import type { Suite } from '../harness/suite.js';
import { since, sleep } from '../harness/wait.js';

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
 * timeoutMs after accept (−200 ms … +1 s); an authenticated one is not closed.
 */
export function idleConnectionTests(s: Suite, timeoutMs: number, allActivities = true): void {
  const T = { timeout: timeoutMs + 15_000 };
  for (const [name, activity] of Object.entries(activities)) {
    if (!allActivities && name !== 'no bytes') continue;
    it(`35 idle NEW connection (${name}) is closed ${timeoutMs / 1000} s after accept`, T, async (t) => {
      const start = performance.now();
      const a = await s.scope(t).client();
      await activity(s, a, timeoutMs);
      await a.expectClosed(timeoutMs + 3000 - since(start));
      const elapsed = since(start);
      assert.ok(
        elapsed > timeoutMs - 200 && elapsed < timeoutMs + 1000,
        `closed after ${Math.round(elapsed)} ms`,
      );
    });
  }

  if (!allActivities) return;
  it('35 an authenticated connection is not closed by the timer', T, async (t) => {
    const start = performance.now();
    const a = await s.scope(t).client();
    await auth(a, { toUri: s.domainUri, fromUri: s.aUri });
    await a.expectNothing(timeoutMs + 1000 - since(start));
  });
}
