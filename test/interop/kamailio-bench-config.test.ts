/**
 * The SIP benchmark's own pieces against Kamailio, at a low rate: bench/sip/kamailio.cfg (registrar and
 * proxy without authentication), REGISTER without credentials, the unauthenticated message-uac.xml, and
 * one probe of bench/sip/probe.ts, over UDP and TCP. Catches a broken benchmark before a long run does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { probe, sippTransport } from '../../bench/sip/probe.js';
import { KAMAILIO_BENCH_CONFIG } from '../../bench/sip/targets/kamailio.js';
import { KeptUas } from '../../bench/sip/uas.js';
import { Cleanup } from './harness/cleanup.js';
import { type KamailioProcess, startKamailio } from './harness/kamailio.js';
import { freePort } from '../support/ports.js';
import { describeSipp, registerWithSipp, sippSucceeded } from './harness/sipp.js';
import { missingPeers } from './harness/tools.js';

describe('the SIP benchmark against Kamailio', { skip: missingPeers(['kamailio', 'sipp']) ?? false }, () => {
  const peers = new Cleanup();
  let kamailio: KamailioProcess;

  before(async () => {
    kamailio = peers.add(await startKamailio({ config: KAMAILIO_BENCH_CONFIG }));
  });
  after(() => peers.run());

  for (const transport of ['udp', 'tcp'] as const) {
    test(`REGISTER without auth, then a 1 s probe at 200 MESSAGE/s over ${transport}`, {
      timeout: 60_000,
    }, async () => {
      const uasPort = await freePort();
      const user = `bench-${transport}`;
      const registration = await registerWithSipp({
        registrar: kamailio.address,
        user,
        transport: sippTransport(transport),
        contactPort: uasPort,
      });
      assert.ok(sippSucceeded(registration, 1), describeSipp(registration));
      assert.equal(registration.counts.get('1_401_Recv'), 0, 'no challenge');

      const uas = peers.add(new KeptUas(uasPort, sippTransport(transport), '0-1'));
      await uas.start();
      const result = await probe(
        {
          transport,
          destination: kamailio.address,
          user,
          seconds: 1,
          proxyPids: () => [kamailio.pid],
          generatorCpus: '0-1',
          generatorCore: 0,
          proxyCore: 1,
        },
        200,
      );
      assert.ok(result.passed, `${result.reasons.join('; ')}\n${result.log}`);
      assert.equal(result.successful, 200);
      assert.equal(result.failed, 0);
      assert.equal(Number.isFinite(result.latency.mean), true, 'response times were read');
      assert.equal(await uas.restartIfDead(), false);
      await uas.stop();
      assert.equal(uas.totals.failed, 0);
    });
  }
});
