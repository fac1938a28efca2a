/**
 * JsSIP over WebSocket (subprotocol `sip`) against `missive serve`: it registers with digest on the ws port,
 * receives a MESSAGE that sipp sent over UDP (the text arriving over its WebSocket), and its own MESSAGE
 * reaches a registered sipp UAS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { JssipClient } from './harness/jssip.js';
import { freePort, LOOPBACK } from '../support/ports.js';
import { describeSipp, registerWithSipp, runSipp, sippSucceeded, startSippUas } from './harness/sipp.js';
import { missingPeers } from './harness/tools.js';

const PASSWORD = 'secret';
const DOMAIN = 'example.test';

describe('missive over WebSocket with JsSIP', { skip: missingPeers(['sipp']) ?? false }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let carol: JssipClient;
  let address: string;

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['carol', PASSWORD],
          ['sipp', PASSWORD],
        ],
      }),
    );
    address = `${LOOPBACK}:${String(missive.ports.sip)}`;
    carol = peers.add(
      await JssipClient.start({
        url: `ws://${LOOPBACK}:${String(missive.ports.ws)}`,
        user: 'carol',
        domain: DOMAIN,
        password: PASSWORD,
      }),
    );
  });
  after(() => peers.run());

  test('a MESSAGE from sipp over UDP reaches JsSIP over its WebSocket', { timeout: 60_000 }, async () => {
    const uac = await runSipp({
      scenario: 'message-uac-auth',
      target: address,
      service: 'carol',
      from: 'sipp',
      auth: { username: 'sipp', password: PASSWORD },
      count: 3,
      rate: 10,
      timeoutMs: 10_000,
    });
    assert.ok(sippSucceeded(uac, 3), describeSipp(uac));
    for (const n of [1, 2, 3]) {
      const received = await carol.waitForMessage(`sipp message ${String(n)}`);
      assert.equal(received.from, `sip:sipp@${DOMAIN}`);
      assert.match(received.contentType ?? '', /^text\/plain/);
    }
  });

  test('a MESSAGE from JsSIP reaches a registered sipp UAS', { timeout: 60_000 }, async () => {
    const uasPort = await freePort();
    const registration = await registerWithSipp({
      registrar: address,
      user: 'sipp',
      password: PASSWORD,
      contactPort: uasPort,
    });
    assert.ok(sippSucceeded(registration, 1), describeSipp(registration));
    const uas = peers.add(await startSippUas({ scenario: 'message-uas', localPort: uasPort }));
    assert.equal(await carol.sendMessage(`sip:sipp@${DOMAIN}`, 'hello from JsSIP'), 200);
    await uas.waitForCalls(1, 5000);
  });
});
