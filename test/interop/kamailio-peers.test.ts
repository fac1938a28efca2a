/**
 * Proves the interop harness against a real registrar/proxy, Kamailio 5.6 (test/interop/kamailio/peers.cfg:
 * digest auth with password "secret", Record-Route on INVITE), with the real peers that will later be
 * pointed at missive: sipsak, sipp (UDP and TCP) and baresip (TLS). Skips when a peer is not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.js';
import { startBaresip } from './harness/baresip.js';
import { Cleanup } from './harness/cleanup.js';
import { type KamailioProcess, startKamailio } from './harness/kamailio.js';
import { makeWorkDir, removeWorkDir } from './harness/paths.js';
import { freePort } from '../support/ports.js';
import { runSipsak } from './harness/sipsak.js';
import {
  describeSipp,
  registerWithSipp,
  runSipp,
  type SippTransport,
  sippSucceeded,
  startSippUas,
} from './harness/sipp.js';
import { missingPeers } from './harness/tools.js';

const PASSWORD = 'secret';
const DOMAIN = 'example.test';

describe('Kamailio with sipsak and sipp', {
  skip: missingPeers(['kamailio', 'sipp', 'sipsak']) ?? false,
}, () => {
  const peers = new Cleanup();
  let kamailio: KamailioProcess;

  before(async () => {
    kamailio = peers.add(await startKamailio());
  });
  after(() => peers.run());

  for (const transport of ['udp', 'tcp'] as const) {
    test(`sipsak REGISTER with digest over ${transport}`, { timeout: 60_000 }, async () => {
      const ok = await runSipsak({
        port: kamailio.port,
        user: `sipsak-${transport}`,
        password: PASSWORD,
        transport,
      });
      assert.equal(ok.exit.code, 0, `sipsak ${ok.args.join(' ')}:\n${ok.output}`);
      assert.match(ok.output, /authorizing/, 'Kamailio challenged the REGISTER');
      const wrong = await runSipsak({
        port: kamailio.port,
        user: `sipsak-${transport}`,
        password: 'wrong',
        transport,
      });
      // A second 401 after credentials: sipsak reports "authorization failed" and exits 2.
      assert.notEqual(wrong.exit.code, 0, wrong.output);
      assert.match(wrong.output, /authorization failed/, wrong.output);
    });
  }

  const sippTransports: [string, SippTransport][] = [
    ['udp', 'u1'],
    ['tcp', 't1'],
  ];
  for (const [name, transport] of sippTransports) {
    test(`sipp REGISTER, then MESSAGE with proxy auth to the registered sipp UAS over ${name}`, {
      timeout: 60_000,
    }, async () => {
      const uasPort = await freePort();
      const user = `bob-${name}`;
      const registration = await registerWithSipp({
        registrar: kamailio.address,
        user,
        password: PASSWORD,
        transport,
        contactPort: uasPort,
      });
      assert.ok(sippSucceeded(registration, 1), describeSipp(registration));
      assert.equal(registration.counts.get('1_401_Recv'), 1, 'the first REGISTER was challenged');

      const uas = peers.add(await startSippUas({ scenario: 'message-uas', transport, localPort: uasPort }));
      const uac = await runSipp({
        scenario: 'message-uac-auth',
        target: kamailio.address,
        transport,
        service: user,
        from: 'alice',
        auth: { username: 'alice', password: PASSWORD },
        count: 20,
        rate: 100,
        rtt: true,
        timeoutMs: 15_000,
      });
      assert.ok(sippSucceeded(uac, 20), describeSipp(uac));
      assert.equal(uac.counts.get('2_407_Recv'), 20, 'every first MESSAGE was challenged');
      assert.equal(uac.rtt.length, 20, 'one response time per MESSAGE');
      await uas.waitForCalls(20, 5000);
      const served = await uas.stop();
      assert.equal(served.stats?.successful, 20, describeSipp(served));
      assert.equal(served.stats.failed, 0, describeSipp(served));
    });
  }

  test('sipp INVITE, ACK and BYE through the Record-Routing proxy to a registered sipp UAS', {
    timeout: 60_000,
  }, async () => {
    const uasPort = await freePort();
    const registration = await registerWithSipp({
      registrar: kamailio.address,
      user: 'carol',
      password: PASSWORD,
      contactPort: uasPort,
    });
    assert.ok(sippSucceeded(registration, 1), describeSipp(registration));
    const uas = peers.add(await startSippUas({ scenario: 'invite-uas', localPort: uasPort }));
    const uac = await runSipp({
      scenario: 'invite-uac',
      target: kamailio.address,
      service: 'carol',
      from: 'dave',
      auth: { username: 'dave', password: PASSWORD },
      count: 3,
      rate: 10,
      callDurationMs: 200,
      timeoutMs: 15_000,
    });
    assert.ok(sippSucceeded(uac, 3), describeSipp(uac));
    assert.equal(uac.counts.get('2_407_Recv'), 3, 'the first INVITE was challenged and acknowledged');
    assert.equal(uac.counts.get('15_200_Recv'), 3, 'every BYE was answered');
    const served = await uas.stop();
    assert.equal(served.stats?.successful, 3, describeSipp(served));
    // The UAS waits for the ACK before the BYE: an ACK sent without the route set would have been lost.
    assert.equal(served.counts.get('3_ACK_Recv'), 3, describeSipp(served));
  });
});

describe('Kamailio over TLS with baresip', {
  skip: missingPeers(['kamailio', 'kamailio-tls', 'baresip', 'sipp']) ?? false,
}, () => {
  const peers = new Cleanup();
  let kamailio: KamailioProcess;
  let caFile: string;

  before(async () => {
    const certDir = makeWorkDir('certs');
    peers.add({
      stop: () => {
        removeWorkDir(certDir);
        return Promise.resolve();
      },
    });
    const { files } = await writeSelfSignedCertificate(certDir, 'kamailio', {
      commonName: DOMAIN,
      dnsNames: [DOMAIN, 'localhost'],
      ipAddresses: ['127.0.0.1'],
      days: 2,
      keyType: 'ec',
    });
    caFile = files.certificate;
    kamailio = peers.add(await startKamailio({ tls: { certFile: files.certificate, keyFile: files.key } }));
  });
  after(() => peers.run());

  const account = (user: string): string =>
    `<sip:${user}@${DOMAIN};transport=tls>;auth_pass=${PASSWORD};outbound="sip:127.0.0.1:${kamailio.tlsPort ?? 0};transport=tls";regint=600`;

  test('baresip registers over TLS, receives a MESSAGE and sends one', { timeout: 60_000 }, async () => {
    const uasPort = await freePort();
    const registration = await registerWithSipp({
      registrar: kamailio.address,
      user: 'bob',
      password: PASSWORD,
      contactPort: uasPort,
    });
    assert.ok(sippSucceeded(registration, 1), describeSipp(registration));
    const uas = peers.add(await startSippUas({ scenario: 'message-uas', localPort: uasPort }));
    const alice = peers.add(
      await startBaresip({ account: account('alice'), caFile, contact: `sip:bob@${DOMAIN}` }),
    );

    const toAlice = await runSipp({
      scenario: 'message-uac-auth',
      target: kamailio.address,
      service: 'alice',
      from: 'bob',
      auth: { username: 'bob', password: PASSWORD },
      count: 1,
      timeoutMs: 10_000,
    });
    assert.ok(sippSucceeded(toAlice, 1), describeSipp(toAlice));
    const received = await alice.waitForMessage('sipp message 1');
    assert.equal(received.from, `sip:bob@${DOMAIN}`);

    assert.equal(await alice.sendMessage('hello from baresip'), 200, alice.output().slice(-3000));
    await uas.waitForCalls(1, 5000);
  });
});
