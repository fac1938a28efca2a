/**
 * The invalid-connection timer (relay spec §9.2 test 35) to the millisecond, in-process with the manual
 * clock: a NEW connection is closed invalid_connection_timeout after accept and not a millisecond before, and
 * an authenticated one is not closed by it. The acceptance tests run the same cases against the relay process
 * in real time, where a loaded machine only allows loose bounds.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { MemoryCredentialStore } from '../../src/credentials/memory.js';
import { createLogger } from '../../src/log/logger.js';
import { MsrpRelay } from '../../src/msrp/relay/relay.js';
import { inProcessRelaySettings } from './harness/in-process-relay.js';
import { ManualClock } from '../support/manual-clock.js';
import { auth, authRequest, requestChallenge } from './harness/auth.js';
import { connectClient } from './harness/client.js';
import type { MsrpConnection } from './harness/connection.js';

const TIMEOUT_S = 30;
const TO = 'msrp://example.com;tcp';
const FROM = 'msrp://127.0.0.1:40001/asess;tcp';

async function start(t: TestContext): Promise<{ clock: ManualClock; client: MsrpConnection }> {
  const clock = new ManualClock(Date.now());
  const relay = new MsrpRelay({
    settings: inProcessRelaySettings({ invalidConnectionTimeout: TIMEOUT_S }),
    credentials: new MemoryCredentialStore([['alice@example.com', '1234']]),
    logger: createLogger('silent'),
    clock,
  });
  const { port } = await relay.start();
  t.after(() => relay.stop());
  const client = await connectClient({ port, tls: false });
  t.after(() => {
    client.destroy();
  });
  // The relay arms the timer when it accepts the connection; its 401 to an AUTH says it has (a 401 is no
  // valid login, so the timer keeps running).
  await requestChallenge(client, { toUri: TO, fromUri: FROM });
  return { clock, client };
}

test('a NEW connection is closed invalid_connection_timeout after accept, not a millisecond before', async (t) => {
  const { clock, client } = await start(t);
  clock.advance(TIMEOUT_S * 1000 - 1);
  // Answered after the clock moved: anything due by then has run, and the connection is still there.
  await requestChallenge(client, { toUri: TO, fromUri: FROM });
  assert.equal(client.closed, false);
  clock.advance(1);
  await client.expectClosed();
});

test('an authenticated connection is not closed by the timer', async (t) => {
  const { clock, client } = await start(t);
  await auth(client, { toUri: TO, fromUri: FROM });
  clock.advance(TIMEOUT_S * 1000 * 2);
  // A second AUTH on the authenticated connection gets its 481 (relay spec §9.2 test 30): it is still served.
  await client.write(authRequest({ toUri: TO, fromUri: FROM }));
  assert.equal((await client.nextMessage()).status, 481);
  assert.equal(client.closed, false);
});
