/**
 * sipp against `missive serve` as a real process: REGISTER with digest (401, then 200), MESSAGE with proxy
 * authentication (407, then relayed to the registered sipp UAS) over UDP and TCP, and an INVITE dialog whose
 * ACK and BYE follow missive's Record-Route to the callee.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getNameAddrs } from '../../src/sip/headers/name-addr.js';
import type { SipMessage } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { freePort, LOOPBACK } from '../support/ports.js';
import {
  describeSipp,
  registerWithSipp,
  runSipp,
  SippProcess,
  type SippResult,
  type SippTransport,
  sippSucceeded,
  startSippUas,
} from './harness/sipp.js';
import type { TracedMessage } from './harness/sipp-stats.js';
import { missingPeers } from './harness/tools.js';
import { EVENT_WAIT_MS, waitFor } from '../support/wait.js';

const PASSWORD = 'secret';
const DOMAIN = 'example.test';
/** The count of the one scenario message whose counter name ends so (e.g. `_487_Recv`). */
function countOf(counts: ReadonlyMap<string, number>, suffix: string): number | undefined {
  const entries = [...counts].filter(([name]) => name.endsWith(suffix));
  assert.equal(entries.length, 1, `one counter ending in ${suffix}: ${[...counts.keys()].join(', ')}`);
  return entries[0]?.[1];
}

/** The messages of a -trace_msg log going `direction` that are `what`: a method, or `SIP/2.0 <status> <method>`. */
function traced(
  messages: readonly TracedMessage[],
  direction: TracedMessage['direction'],
  what: string,
): SipMessage[] {
  return messages
    .filter((traced) => traced.direction === direction)
    .map((traced) => traced.message)
    .filter((message) =>
      message.kind === 'request'
        ? message.method === what
        : what ===
          `SIP/2.0 ${String(message.status)} ${/\s(\S+)$/.exec(message.headers.get('CSeq') ?? '')?.[1] ?? ''}`,
    );
}

/** The URIs of a Route or Record-Route list, top first. */
function uris(message: SipMessage, header: 'Route' | 'Record-Route'): string[] {
  return (getNameAddrs(message.headers, header) ?? []).map((entry) => String(entry.uri));
}

const USERS = [
  'alice',
  'bob-udp',
  'bob-tcp',
  'carol',
  'carol-u1-u1',
  'carol-t1-t1',
  'carol-t1-u1',
  'dave',
  'erin',
  'frank',
].map((user) => [user, PASSWORD] as const);

describe('missive with sipp', { skip: missingPeers(['sipp']) ?? false }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let address: string;

  before(async () => {
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users: USERS }));
    address = `${LOOPBACK}:${String(missive.ports.sip)}`;
  });
  after(() => peers.run());

  /** A free port that `user` is registered at by sipp (its digest challenge answered): where a sipp UAS goes. */
  async function registeredPort(
    user: string,
    transport: SippTransport = 'u1',
  ): Promise<{ uasPort: number; registration: SippResult }> {
    const uasPort = await freePort();
    const registration = await registerWithSipp({
      registrar: address,
      user,
      password: PASSWORD,
      transport,
      contactPort: uasPort,
    });
    assert.ok(sippSucceeded(registration, 1), describeSipp(registration));
    return { uasPort, registration };
  }

  const transports: [string, SippTransport][] = [
    ['udp', 'u1'],
    ['tcp', 't1'],
  ];
  for (const [name, transport] of transports) {
    test(`REGISTER (401, 200), then MESSAGE with proxy auth (407) to the registered sipp UAS over ${name}`, {
      timeout: 60_000,
    }, async () => {
      const user = `bob-${name}`;
      const { uasPort, registration } = await registeredPort(user, transport);
      assert.equal(registration.counts.get('1_401_Recv'), 1, 'the first REGISTER was challenged');

      const uas = peers.add(await startSippUas({ scenario: 'message-uas', transport, localPort: uasPort }));
      const uac = await runSipp({
        scenario: 'message-uac-auth',
        target: address,
        transport,
        service: user,
        from: 'alice',
        auth: { username: 'alice', password: PASSWORD },
        count: 20,
        rate: 100,
        timeoutMs: 15_000,
      });
      assert.ok(sippSucceeded(uac, 20), describeSipp(uac));
      assert.equal(uac.counts.get('2_407_Recv'), 20, 'every first MESSAGE was challenged');
      await uas.waitForCalls(20, 5000);
      const served = await uas.stop();
      assert.equal(served.stats?.successful, 20, describeSipp(served));
      assert.equal(served.stats.failed, 0, describeSipp(served));
    });
  }

  test('a 407 to a retransmission of the first MESSAGE, coming after the retry, does not fail the call', {
    timeout: 60_000,
  }, async () => {
    const { uasPort } = await registeredPort('frank');
    const uas = peers.add(
      await startSippUas({ scenario: 'message-uas', transport: 'u1', localPort: uasPort }),
    );
    // A server too busy to answer before sipp's retransmission timer: stopped until sipp has retransmitted
    // the first MESSAGE, it then reads both copies and challenges each, statelessly, with a nonce of its own.
    missive.signal('SIGSTOP');
    let uac: SippProcess;
    try {
      uac = await SippProcess.spawn({
        scenario: 'message-uac-auth',
        target: address,
        service: 'frank',
        from: 'alice',
        auth: { username: 'alice', password: PASSWORD },
        count: 1,
        timeoutMs: 30_000,
      });
      await waitFor(() => (uac.stats()?.retransmissions ?? 0) >= 1, 'sipp to retransmit the first MESSAGE', {
        timeoutMs: EVENT_WAIT_MS,
      });
    } finally {
      missive.signal('SIGCONT');
    }
    const result = await uac.finish();
    assert.ok(sippSucceeded(result, 1), describeSipp(result));
    assert.equal(result.counts.get('2_407_Recv'), 1, 'the first MESSAGE was challenged');
    assert.ok((result.counts.get('4_407_Recv') ?? 0) >= 1, `a late 407 came: ${describeSipp(result)}`);
    await uas.waitForCalls(1, EVENT_WAIT_MS);
  });

  test('a MESSAGE with a wrong proxy password is challenged again and never delivered', {
    timeout: 60_000,
  }, async () => {
    const uac = await runSipp({
      scenario: 'message-uac-auth',
      target: address,
      service: 'carol',
      from: 'alice',
      auth: { username: 'alice', password: 'wrong' },
      count: 1,
      timeoutMs: 10_000,
    });
    assert.equal(uac.stats?.successful, 0, describeSipp(uac));
    assert.equal(uac.unexpectedCodes.get(407), 1, describeSipp(uac));
  });

  const calls: [string, SippTransport, SippTransport][] = [
    ['udp', 'u1', 'u1'],
    ['tcp', 't1', 't1'],
    ['tcp to a udp callee', 't1', 'u1'],
  ];
  for (const [name, callerTransport, calleeTransport] of calls) {
    test(`INVITE, ACK and BYE through the Record-Routing proxy to a registered sipp UAS over ${name}`, {
      timeout: 60_000,
    }, async () => {
      const callee = `carol-${callerTransport}-${calleeTransport}`;
      const { uasPort } = await registeredPort(callee, calleeTransport);
      const uas = peers.add(
        await startSippUas({
          scenario: 'invite-uas',
          transport: calleeTransport,
          localPort: uasPort,
          traceMessages: true,
        }),
      );
      const uac = await runSipp({
        scenario: 'invite-uac',
        target: address,
        transport: callerTransport,
        service: callee,
        from: 'dave',
        auth: { username: 'dave', password: PASSWORD },
        count: 3,
        rate: 10,
        callDurationMs: 200,
        timeoutMs: 15_000,
        traceMessages: true,
      });
      assert.ok(sippSucceeded(uac, 3), describeSipp(uac));
      assert.equal(uac.counts.get('2_407_Recv'), 3, 'the first INVITE was challenged and acknowledged');
      assert.equal(uac.counts.get('15_200_Recv'), 3, 'every BYE was answered');
      const served = await uas.stop();
      assert.equal(served.stats?.successful, 3, describeSipp(served));
      // The UAS waits for the ACK before the BYE: an ACK sent without the route set would have been lost.
      assert.equal(served.counts.get('3_ACK_Recv'), 3, describeSipp(served));

      // On the wire: one Record-Route entry when the transport stays, two when it changes (the one facing
      // the callee on top); the caller's route set is them reversed, and missive removes them on the way.
      const onSide = (transport: SippTransport): string =>
        `sip:${LOOPBACK}:${String(missive.ports.sip)}${transport === 'u1' ? '' : ';transport=tcp'};lr`;
      const recordRoute =
        callerTransport === calleeTransport
          ? [onSide(calleeTransport)]
          : [onSide(calleeTransport), onSide(callerTransport)];
      const invites = traced(served.messages, 'received', 'INVITE');
      const answers = traced(uac.messages, 'received', 'SIP/2.0 200 INVITE');
      assert.equal(invites.length, 3, describeSipp(served));
      assert.equal(answers.length, 3, describeSipp(uac));
      for (const message of [...invites, ...answers]) {
        assert.deepEqual(
          uris(message, 'Record-Route'),
          recordRoute,
          'Record-Route at the callee and the caller',
        );
      }
      for (const method of ['ACK', 'BYE']) {
        const sent = traced(uac.messages, 'sent', method).filter((m) => m.headers.has('Route'));
        assert.equal(sent.length, 3, `${method} sent in the dialog: ${describeSipp(uac)}`);
        for (const message of sent) assert.deepEqual(uris(message, 'Route'), [...recordRoute].reverse());
        const received = traced(served.messages, 'received', method);
        assert.equal(received.length, 3, `${method} at the callee: ${describeSipp(served)}`);
        for (const message of received)
          assert.deepEqual(uris(message, 'Route'), [], 'missive took its routes');
      }
    });
  }

  test('an INVITE cancelled while ringing: 200 for the CANCEL, 487 for the INVITE, at both ends', {
    timeout: 60_000,
  }, async () => {
    const { uasPort } = await registeredPort('erin');
    const uas = peers.add(await startSippUas({ scenario: 'cancel-uas', localPort: uasPort }));
    const uac = await runSipp({
      scenario: 'cancel-uac',
      target: address,
      service: 'erin',
      from: 'dave',
      auth: { username: 'dave', password: PASSWORD },
      count: 3,
      rate: 10,
      timeoutMs: 15_000,
    });
    assert.ok(sippSucceeded(uac, 3), describeSipp(uac));
    assert.equal(countOf(uac.counts, '_487_Recv'), 3, 'every INVITE ended with 487');
    await uas.waitForCalls(3, 5000);
    const served = await uas.stop();
    assert.equal(served.stats?.successful, 3, describeSipp(served));
    assert.equal(countOf(served.counts, '_CANCEL_Recv'), 3, describeSipp(served));
    assert.equal(countOf(served.counts, '_ACK_Recv'), 3, 'missive acknowledged each 487');
  });
});
