/**
 * An INVITE without credentials costs `missive serve` one 407 and no memory (issue 10 point 5): the challenge
 * is sent statelessly (RFC 3261 §8.2.7, as Kamailio's sl_send_reply), so an INVITE that is never ACKed is not
 * answered 11 times (a reflection attack from a spoofed source), a retransmitted INVITE gets one more 407, and
 * the ACK of the 407 is absorbed, not forwarded. Over UDP; the INVITE is preloaded with a Route to the server
 * and names a host of another domain, where a peer (carol) records what it receives. The other refusals made
 * before authentication (403 for a sender domain not served, 407 for a wrong password, 481) are sent once too.
 *
 * Nothing here sleeps and then asserts that nothing came: after the 407, the test waits past the time the
 * first retransmission was due (T1 = 500 ms), then sends an OPTIONS; its 200 comes back after any
 * retransmission the server would have sent, so the 407s counted before the 200 are all there were.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { getTo } from '../../src/sip/headers/name-addr.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { branchOf, callIdOf, cseqOf, fromTagOf, isFor, isRequestOf } from '../support/sip-fields.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
/** Past T1 (500 ms), when a stateful INVITE transaction resends its final response the first time. */
const PAST_FIRST_RETRANSMISSION_MS = 1200;

describe('missive: an INVITE without credentials gets one 407 per INVITE received', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let alice: Agent;
  let carol: Agent;
  let route: readonly [string, string];

  before(async () => {
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users: [['alice', PASSWORD]] }));
    const server = { host: LOOPBACK, port: missive.ports.sip };
    route = ['Route', `<sip:${LOOPBACK}:${String(missive.ports.sip)};lr>`];
    alice = peers.add(await Agent.overUdp('alice', PASSWORD, server, DOMAIN, '127.0.0.6'));
    carol = peers.add(await Agent.overUdp('carol', '', server, 'elsewhere.example', '127.0.0.7'));
    carol.answering('MESSAGE');
  });
  after(() => peers.run());

  /** alice's OPTIONS to the server, answered after everything the server sent her before it. */
  async function marker(): Promise<number> {
    const options = await alice.issue({
      method: 'OPTIONS',
      uri: `sip:${LOOPBACK}:${String(missive.ports.sip)}`,
    });
    const answer = await alice.response(options);
    assert.equal(answer.status, 200);
    return alice.messages.indexOf(answer);
  }

  const challengesOf = (sent: SipRequest, before: number): SipResponse[] =>
    alice.messages
      .slice(0, before)
      .filter((m): m is SipResponse => m.kind === 'response' && m.status === 407 && isFor(m, sent));

  test('other refusals before authentication are sent once too: 403 sender domain, wrong password, 481', async () => {
    const bobUri = `sip:bob@${DOMAIN}`;
    const foreign = await carol.issue({ method: 'INVITE', uri: bobUri, extra: [route] });
    const wrong = await alice.withCredentials({
      method: 'INVITE',
      uri: bobUri,
      password: 'not-the-password',
    });
    assert.ok('credentials' in wrong);
    const inDialog = await alice.issue({ method: 'INVITE', uri: bobUri, toTag: 'no-such-dialog' });
    const answers = [
      { sent: foreign, peer: carol, status: 403 },
      { sent: wrong.request, peer: alice, status: 407 },
      { sent: inDialog, peer: alice, status: 481 },
    ];
    for (const { sent, peer, status } of answers) assert.equal((await peer.response(sent)).status, status);
    await delay(PAST_FIRST_RETRANSMISSION_MS);
    const aliceEnd = await marker();
    const carolOptions = await carol.issue({
      method: 'OPTIONS',
      uri: `sip:${LOOPBACK}:${String(missive.ports.sip)}`,
    });
    const carolEnd = carol.messages.indexOf(await carol.response(carolOptions));
    for (const { sent, peer, status } of answers) {
      const end = peer === alice ? aliceEnd : carolEnd;
      const finals = peer.messages
        .slice(0, end)
        .filter((m) => m.kind === 'response' && m.status >= 200 && isFor(m, sent));
      assert.equal(finals.length, 1, `one ${String(status)}, not retransmitted`);
    }
  });

  test('one 407 per INVITE sent, none retransmitted; its ACK is not forwarded', async () => {
    const carolUri = `sip:carol@127.0.0.7:${String(carol.port)}`;
    const invite = await alice.issue({ method: 'INVITE', uri: carolUri, extra: [route] });
    const first = await alice.response(invite);
    assert.equal(first.status, 407);
    await delay(PAST_FIRST_RETRANSMISSION_MS);
    assert.equal(challengesOf(invite, await marker()).length, 1, 'one 407, not retransmitted');

    // The INVITE again (a retransmission, same branch): one more 407, with the same To tag (RFC 3261 §8.2.7).
    await alice.send(invite);
    const secondIndex = alice.messages.length;
    const second = (await alice.waitFor(
      (m) => m.kind === 'response' && m.status === 407 && isFor(m, invite),
      'a 407 to the retransmitted INVITE',
      secondIndex,
    )) as SipResponse;
    assert.equal(getTo(second.headers)?.tag, getTo(first.headers)?.tag);
    await delay(PAST_FIRST_RETRANSMISSION_MS);
    assert.equal(challengesOf(invite, await marker()).length, 2, 'one more 407, and only one');

    // The ACK of the 407 (same branch, the 407's To tag, the Route to the server): absorbed there. A MESSAGE
    // sent after it along the same route reaches carol; the ACK, had it been forwarded, would be before it.
    await alice.issue({
      method: 'ACK',
      uri: carolUri,
      toTag: getTo(first.headers)?.tag ?? '',
      fromTag: fromTagOf(invite),
      callId: callIdOf(invite),
      cseq: cseqOf(invite),
      branch: branchOf(invite),
      extra: [route],
    });
    const response = await alice.authenticated({
      method: 'MESSAGE',
      uri: carolUri,
      extra: [route],
      body: 'after the ACK',
    });
    assert.equal(response.status, 200);
    const message = await carol.waitFor(isRequestOf('MESSAGE', callIdOf(response)), 'the MESSAGE');
    const before = carol.messages.slice(0, carol.messages.indexOf(message));
    assert.deepEqual(before.filter(isRequestOf('ACK', callIdOf(invite))), [], 'the ACK went nowhere');
    assert.deepEqual(
      carol.messages.filter((m: SipMessage) => m.headers.get('Call-ID') === callIdOf(invite)),
      [],
      'nor did the INVITE',
    );
  });
});
