/**
 * The APNs provider's connection and token: one kept HTTP/2 session, bounded streams, a new session after a timeout or GOAWAY, and the provider token renewed at 50 minutes of manual-clock time.
 * Against a local stand-in for APNs, which cannot run here (apns-fixture.ts, apns-stand-in.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { eventually } from '../support/wait.js';
import { START, TEAM_PUBLIC_KEY, bearer, decodeJwt, delivery, useApnsFixture } from './apns-fixture.js';

describe('APNs provider: session and provider token', () => {
  const f = useApnsFixture();

  it('keeps one HTTP/2 session for many sends, sequential and concurrent', async () => {
    const sessionsBefore = f.standIn.sessions;
    for (let i = 0; i < 3; i++) assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => f.provider.send(delivery())));
    assert.deepEqual(
      outcomes,
      Array.from({ length: 10 }, () => ({ kind: 'sent' })),
    );
    assert.equal(f.standIn.requests.length, 13);
    assert.equal(f.standIn.sessions - sessionsBefore, 1);
    assert.equal(f.provider.sessionsOpened, 1);
  });

  it('bounds the streams in flight on the session', { timeout: 30_000 }, async () => {
    await f.provider.close();
    f.provider = f.makeProvider({ maxConcurrentStreams: 2 });
    f.standIn.maxHeld = 0;
    f.standIn.responder = () => 'hold';
    const sends = Array.from({ length: 5 }, () => f.provider.send(delivery()));
    try {
      // Each answer lets one waiting send start: the stand-in sees all five, never more than two at once.
      for (let answered = 0; answered < 5; answered++) {
        await eventually(() => f.standIn.held > 0, 'a request held by the stand-in');
        f.standIn.release();
      }
      assert.deepEqual(
        await Promise.all(sends),
        Array.from({ length: 5 }, () => ({ kind: 'sent' })),
      );
    } finally {
      f.standIn.releaseAll();
    }
    assert.equal(f.standIn.requests.length, 5);
    assert.equal(f.standIn.maxHeld, 2);
  });

  it('keeps the provider token for 50 minutes and signs a new one then', async () => {
    await f.provider.send(delivery());
    const first = bearer(f.standIn.requests[0]);
    f.clock.advance(50 * 60 * 1000 - 1000);
    await f.provider.send(delivery());
    assert.equal(bearer(f.standIn.requests[1]), first, 'the same token at 49:59');
    f.clock.advance(1000);
    await f.provider.send(delivery());
    const renewed = bearer(f.standIn.requests[2]);
    assert.notEqual(renewed, first);
    assert.deepEqual(decodeJwt(renewed, TEAM_PUBLIC_KEY).claims, {
      iss: 'TEAM456XYZ',
      iat: START / 1000 + 3000,
    });
    f.clock.advance(49 * 60 * 1000);
    await f.provider.send(delivery());
    assert.equal(bearer(f.standIn.requests[3]), renewed);
  });

  for (const reason of ['ExpiredProviderToken', 'InvalidProviderToken']) {
    it(`answers retry to 403 ${reason} and signs a new token for the next send`, async () => {
      f.standIn.responder = (_request, index) =>
        index === 0 ? { status: 403, body: JSON.stringify({ reason }) } : { status: 200 };
      await f.provider.send(delivery());
      f.clock.advance(1000);
      assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
      const refused = bearer(f.standIn.requests[0]);
      const renewed = bearer(f.standIn.requests[1]);
      assert.notEqual(renewed, refused);
      assert.deepEqual(decodeJwt(renewed, TEAM_PUBLIC_KEY).claims, {
        iss: 'TEAM456XYZ',
        iat: START / 1000 + 1,
      });
    });
    it(`maps 403 ${reason} to retry with Apple's reason`, async () => {
      f.standIn.responder = () => ({ status: 403, body: JSON.stringify({ reason }) });
      assert.deepEqual(await f.provider.send(delivery()), { kind: 'retry', reason: `APNs 403 ${reason}` });
    });
  }

  it('answers retry when APNs does not answer in time, and opens a new session for the next send', {
    timeout: 30_000,
  }, async () => {
    f.standIn.responder = (_request, index) => (index === 0 ? 'hold' : { status: 200 });
    const sessionsBefore = f.standIn.sessions;
    const pending = f.provider.send(delivery());
    await eventually(() => f.standIn.held === 1, 'the request to reach the stand-in');
    f.clock.advance(4999);
    f.clock.advance(1);
    assert.deepEqual(await pending, { kind: 'retry', reason: 'APNs unreachable: no answer within 5000 ms' });
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.standIn.sessions - sessionsBefore, 2);
    assert.equal(f.provider.sessionsOpened, 2);
  });

  it('opens a new session after APNs sends GOAWAY', async () => {
    const sessionsBefore = f.standIn.sessions;
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    for (const session of f.standIn.liveSessions) session.goaway();
    await eventually(
      async () =>
        (await f.provider.send(delivery())).kind === 'sent' && f.standIn.sessions - sessionsBefore === 2,
      'a send on a new session',
    );
    assert.equal(f.provider.sessionsOpened, 2);
  });

  it('answers retry when APNs cannot be reached', async () => {
    await f.provider.close();
    f.provider = f.makeProvider({ origin: `https://127.0.0.1:${String(await freePort())}` });
    const outcome = await f.provider.send(delivery());
    assert.equal(outcome.kind, 'retry');
    assert.match((outcome as { reason: string }).reason, /^APNs unreachable: .*ECONNREFUSED/);
  });

  it('answers failed after close', async () => {
    await f.provider.close();
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'failed', reason: 'APNs provider closed' });
  });

  it('answers the sends still waiting for a stream at once on close, and lets the running one finish', {
    timeout: 30_000,
  }, async () => {
    await f.provider.close();
    f.provider = f.makeProvider({ maxConcurrentStreams: 1 });
    f.standIn.responder = () => 'hold';
    const running = f.provider.send(delivery());
    const waiting = f.provider.send(delivery());
    try {
      await eventually(() => f.standIn.held === 1, 'the first request held by the stand-in');
      const closing = f.provider.close();
      assert.deepEqual(await waiting, {
        kind: 'retry',
        reason: 'APNs unreachable: the connection is closed',
      });
      f.standIn.release();
      assert.deepEqual(await running, { kind: 'sent' });
      await closing;
    } finally {
      f.standIn.releaseAll();
    }
    assert.equal(f.standIn.requests.length, 1);
  });
});
