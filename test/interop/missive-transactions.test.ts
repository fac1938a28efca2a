/**
 * `missive serve --max-transactions` (issue 10 point 5): alice's authenticated INVITEs to bob's device, which
 * rings and does not answer, each keep a server transaction open; once the table is full, new requests get 503
 * with Retry-After and go no further, so the transactions do not grow past the cap; when bob declines the calls
 * and their transactions end, requests are served again. Over UDP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getTo } from '../../src/sip/headers/name-addr.js';
import type { SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { branchOf, callIdOf, cseqOf, fromTagOf, isFor, isRequestOf } from '../support/sip-fields.js';
import { waitFor } from '../support/wait.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const CAP = 6;
/** More calls than the table can hold. */
const ATTEMPTS = CAP + 4;

describe('missive: the server transaction table is capped', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [
          ['alice', PASSWORD],
          ['bob', PASSWORD],
        ],
        args: ['--max-transactions', String(CAP)],
      }),
    );
    const server = { host: LOOPBACK, port: missive.ports.sip };
    alice = peers.add(await Agent.overUdp('alice', PASSWORD, server, DOMAIN, '127.0.0.9'));
    bob = peers.add(await Agent.overUdp('bob', PASSWORD, server, DOMAIN, '127.0.0.8'));
    assert.equal((await bob.register()).status, 200);
    bob.answering('INVITE', () => 180);
    bob.answering('MESSAGE');
  });
  after(() => peers.run());

  /** The first response alice gets to `sent`: 503 when refused, a provisional when it went on. */
  async function firstAnswer(sent: SipRequest): Promise<SipResponse> {
    return (await alice.waitFor((m) => m.kind === 'response' && isFor(m, sent), 'an answer')) as SipResponse;
  }

  test('what anyone can send without credentials is answered statelessly and takes no room', async () => {
    const server = `sip:${LOOPBACK}:${String(missive.ports.sip)}`;
    for (let i = 0; i < 3 * CAP; i++) {
      const options = await alice.issue({ method: 'OPTIONS', uri: server });
      const register = await alice.issue({ method: 'REGISTER', uri: `sip:${DOMAIN}`, to: `<${alice.aor}>` });
      const invite = await alice.issue({ method: 'INVITE', uri: `sip:bob@${DOMAIN}` });
      assert.equal((await alice.response(options)).status, 200);
      assert.equal((await alice.response(register)).status, 401);
      assert.equal((await alice.response(invite)).status, 407);
    }
  });

  test('beyond the cap: 503 with Retry-After, nothing forwarded; service resumes when transactions end', async () => {
    const held: { sent: SipRequest; invite: SipRequest }[] = [];
    const refusals: SipResponse[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const challenged = await alice.withCredentials({ method: 'INVITE', uri: `sip:bob@${DOMAIN}` });
      if ('response' in challenged) {
        refusals.push(challenged.response);
        continue;
      }
      const answer = await firstAnswer(challenged.request);
      if (answer.status >= 200) {
        refusals.push(answer);
        continue;
      }
      const invite = (await bob.waitFor(
        isRequestOf('INVITE', callIdOf(challenged.request)),
        'the INVITE',
      )) as SipRequest;
      held.push({ sent: challenged.request, invite });
    }
    assert.ok(
      held.length >= 1 && held.length <= CAP,
      `${String(held.length)} calls held, at most ${String(CAP)}`,
    );
    assert.equal(refusals.length, ATTEMPTS - held.length);
    for (const refusal of refusals) {
      assert.equal(refusal.status, 503);
      assert.match(refusal.headers.get('Retry-After') ?? '', /^[0-9]+$/);
    }
    // An OPTIONS to the server itself is refused too, and nothing more reached bob than the calls held.
    const options = await alice.issue({
      method: 'OPTIONS',
      uri: `sip:${LOOPBACK}:${String(missive.ports.sip)}`,
    });
    assert.equal((await alice.response(options)).status, 503);
    const callsAtBob = new Set(
      bob.messages
        .filter((m) => m.kind === 'request' && m.method === 'INVITE')
        .map((m) => m.headers.get('Call-ID')),
    );
    assert.equal(callsAtBob.size, held.length);

    // bob declines every call; alice ACKs each 486: the transactions end (Timer I, T4 = 5 s, over UDP).
    for (const { sent, invite } of held) {
      await bob.answer(invite, 486);
      const busy = await alice.response(sent);
      assert.equal(busy.status, 486);
      await alice.issue({
        method: 'ACK',
        uri: `sip:bob@${DOMAIN}`,
        toTag: getTo(busy.headers)?.tag ?? '',
        fromTag: fromTagOf(sent),
        callId: callIdOf(sent),
        cseq: cseqOf(sent),
        branch: branchOf(sent),
      });
    }
    // Requests are served again once those transactions have ended (asked until they are).
    await waitFor(
      async () => {
        const probe = await alice.issue({
          method: 'OPTIONS',
          uri: `sip:${LOOPBACK}:${String(missive.ports.sip)}`,
        });
        const status = (await alice.response(probe)).status;
        assert.ok(status === 200 || status === 503, `an OPTIONS answered ${String(status)}`);
        return status === 200;
      },
      'the transaction table to have room again (an OPTIONS answered 200, not 503)',
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    const response = await alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:bob@${DOMAIN}`,
      body: 'again',
    });
    assert.equal(response.status, 200, 'a MESSAGE goes through again');
  });
});
