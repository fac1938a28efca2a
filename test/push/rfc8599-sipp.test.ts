/**
 * RFC 8599 with a real SIP device (sipp over TCP) and a real `missive serve` whose push gateway is a local
 * HTTP server standing in for sylk-pushserver (the real one cannot run here; the stand-in records the exact
 * request). bob's device registers with push parameters (pn-provider apns, pn-prid, pn-param) and goes away
 * (its TCP connection closes). Its push parameters are a stored token (`missive db show` lists it). alice's
 * MESSAGE then finds a binding whose flow is gone: the device is pushed once — the message push of sylk spec
 * §5.1, with the badge, serving as the RFC 8599 wake — alice gets her 200 (the message is journaled), the
 * device registers again and the MESSAGE that waited for it arrives.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { Cleanup } from '../interop/harness/cleanup.js';
import { scenarioPath } from '../interop/harness/paths.js';
import { describeSipp, runSipp, SippProcess, sippSucceeded } from '../interop/harness/sipp.js';
import { parseTracedMessages } from '../interop/harness/sipp-stats.js';
import { MissiveProcess } from '../support/missive-process.js';
import { freePort } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { waitFor } from '../support/wait.js';
import { PushStandIn } from './push-stand-in.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const PRID = 'bob-device-token-1';
const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));

describe('RFC 8599: a SIP device asleep is woken by a push and gets the MESSAGE', {
  timeout: 120_000,
}, () => {
  const peers = new Cleanup();
  const standIn = new PushStandIn();
  let missive: MissiveProcess;
  let alice: Agent;

  before(async () => {
    peers.add(await standIn.start());
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        // A loaded CI machine may take long to compile and start it: bounded, but generous.
        users: [
          ['alice', PASSWORD],
          ['bob', PASSWORD],
        ],
        args: ['--push-url', standIn.url, '--push-wake-timeout', '30'],
      }),
    );
    alice = peers.add(
      await new Agent('alice', DOMAIN, PASSWORD, {
        transport: 'udp',
        host: '127.0.0.1',
        port: missive.ports.sip,
      }).start(),
    );
  });
  after(() => peers.run());

  test('register with push parameters, go away, be woken, register again, receive the MESSAGE', async () => {
    const registrar = `127.0.0.1:${String(missive.ports.sip)}`;
    const devicePort = await freePort();
    const device = {
      target: registrar,
      transport: 't1' as const,
      localPort: devicePort,
      service: 'bob',
      domain: DOMAIN,
      keys: { expires: '3600', prid: PRID },
      auth: { username: 'bob', password: PASSWORD, uri: DOMAIN },
      count: 1,
    };
    const first = await runSipp({
      ...device,
      scenario: join(SCENARIOS, 'register-push.xml'),
      timeoutMs: 15_000,
    });
    assert.ok(sippSucceeded(first, 1), describeSipp(first));
    // The REGISTER's push parameters are bob's stored token (one per account, app and device), where
    // `missive db show` and the admin API read them.
    const store = await openStore(missive.storeUri);
    try {
      const tokens = await store.pushTokens.list(`bob@${DOMAIN}`);
      assert.deepEqual(
        tokens.map(({ appId, deviceId, platform, token, silent, userAgent }) => ({
          appId,
          deviceId,
          platform,
          token,
          silent,
          userAgent,
        })),
        [
          {
            appId: 'com.example.app.voip',
            deviceId: PRID,
            platform: 'apple',
            token: PRID,
            silent: false,
            userAgent: 'sipp interop harness',
          },
        ],
      );
    } finally {
      await store.close();
    }

    // sipp has exited: bob's connection is closed, his binding (with its push parameters) stays.
    const response = await alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:bob@${DOMAIN}`,
      body: 'wake up',
    });
    assert.equal(response.status, 200, 'the MESSAGE is journaled and answered while bob sleeps');

    const [wake] = await waitFor(() => standIn.for(PRID).length > 0 && standIn.for(PRID), 'the wake push');
    assert.ok(wake !== undefined);
    assert.equal(wake.method, 'POST');
    assert.equal(wake.path, '/push');
    assert.equal(wake.headers['user-agent'], 'SylkServer');
    assert.equal(wake.headers['content-type'], 'application/json');
    const json = wake.json ?? {};
    // One push, the message push with the badge and the text: the wake took it rather than sending its own.
    assert.deepEqual(json, {
      platform: 'apple',
      'app-id': 'com.example.app.voip',
      token: PRID,
      'device-id': PRID,
      silent: 0,
      'call-id': json['call-id'],
      event: 'message',
      from: `alice@${DOMAIN}`,
      'from-display-name': null,
      'media-type': 'sms',
      to: `bob@${DOMAIN}`,
      badge: 1,
      'content-type': 'text/plain',
      content: 'wake up',
    });

    // Woken: the device registers again and stays; its out-of-call scenario answers the MESSAGE.
    const woken = await SippProcess.spawn({
      ...device,
      scenario: join(SCENARIOS, 'register-push-stay.xml'),
      timeoutMs: 40_000,
      traceMessages: true,
      extraArgs: ['-oocsf', scenarioPath('message-uas')],
    });
    const traced = join(woken.workDir, 'messages.log');
    try {
      const message = await waitFor(
        () => {
          let trace = '';
          try {
            trace = readFileSync(traced, 'latin1');
          } catch {
            return undefined;
          }
          return parseTracedMessages(trace).find(
            (m) =>
              m.direction === 'received' && m.message.kind === 'request' && m.message.method === 'MESSAGE',
          );
        },
        'the MESSAGE at the woken device',
        { timeoutMs: 20_000 },
      );
      assert.ok(message.message.kind === 'request');
      assert.equal(message.message.body.toString('utf8'), 'wake up');
      await waitFor(
        () =>
          parseTracedMessages(readFileSync(traced, 'latin1')).some(
            (m) =>
              m.direction === 'sent' &&
              m.message.kind === 'response' &&
              m.message.headers.get('CSeq')?.endsWith('MESSAGE') === true,
          ),
        'the device’s 200 to the MESSAGE',
      );
      // The wait is over (the MESSAGE reached the woken device): the wake had its push, and it was that one.
      assert.equal(standIn.for(PRID).length, 1);
    } finally {
      const result = await woken.stop(2_000);
      if (result.stats !== undefined) assert.equal(result.stats.failedUnexpected, 0, describeSipp(result));
    }
  });
});
