/**
 * baresip, the independent TLS user agent, against `missive serve`: two baresips register over TLS (CA file:
 * missive's self-signed certificate) with digest, and a MESSAGE goes each way through missive, its text
 * arriving at the other; a sipp MESSAGE over UDP reaches a baresip over its TLS connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { type BaresipProcess, startBaresip } from './harness/baresip.js';
import { parseTracedResponses } from './harness/baresip-output.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { describeSipp, runSipp, sippSucceeded } from './harness/sipp.js';
import { missingPeers } from './harness/tools.js';

const PASSWORD = 'secret';
const DOMAIN = 'example.test';

describe('missive over TLS with baresip', { skip: missingPeers(['baresip', 'sipp']) ?? false }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let alice: BaresipProcess;
  let bob: BaresipProcess;

  const account = (user: string): string =>
    `<sip:${user}@${DOMAIN};transport=tls>;auth_pass=${PASSWORD};outbound="sip:${LOOPBACK}:${String(missive.ports.sips)};transport=tls";regint=600`;

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['alice', PASSWORD],
          ['bob', PASSWORD],
          ['sipp', PASSWORD],
        ],
      }),
    );
    const caFile = missive.certificate;
    alice = peers.add(
      await startBaresip({ account: account('alice'), caFile, contact: `sip:bob@${DOMAIN}` }),
    );
    bob = peers.add(await startBaresip({ account: account('bob'), caFile, contact: `sip:alice@${DOMAIN}` }));
  });
  after(() => peers.run());

  test('both register over TLS and a MESSAGE goes each way', { timeout: 60_000 }, async () => {
    assert.ok(alice.isRegistered() && bob.isRegistered());
    assert.equal(await alice.sendMessage('hello bob, from alice'), 200, alice.output().slice(-3000));
    const atBob = await bob.waitForMessage('hello bob, from alice');
    assert.equal(atBob.from, `sip:alice@${DOMAIN}`);
    const challenged = (ua: BaresipProcess, method: string, status: number): boolean =>
      parseTracedResponses(ua.output()).some((r) => r.method === method && r.status === status);
    assert.ok(challenged(alice, 'REGISTER', 401), 'the REGISTER over TLS was challenged');
    assert.ok(challenged(alice, 'MESSAGE', 407), 'the MESSAGE was challenged for proxy credentials');
    assert.equal(await bob.sendMessage('hello alice, from bob'), 200, bob.output().slice(-3000));
    const atAlice = await alice.waitForMessage('hello alice, from bob');
    assert.equal(atAlice.from, `sip:bob@${DOMAIN}`);
  });

  test('a sipp MESSAGE over UDP reaches baresip over its TLS connection', { timeout: 60_000 }, async () => {
    const uac = await runSipp({
      scenario: 'message-uac-auth',
      target: `${LOOPBACK}:${String(missive.ports.sip)}`,
      service: 'alice',
      from: 'sipp',
      auth: { username: 'sipp', password: PASSWORD },
      count: 1,
      timeoutMs: 10_000,
    });
    assert.ok(sippSucceeded(uac, 1), describeSipp(uac));
    const received = await alice.waitForMessage('sipp message 1');
    assert.equal(received.from, `sip:sipp@${DOMAIN}`);
  });
});
