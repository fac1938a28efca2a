/**
 * Nonces across a restart of `missive serve` (security issue 10, point 9c): a request retransmitted after
 * the restart with credentials for a nonce of the previous process gets a challenge with stale=true
 * (RFC 7616 §3.3), so the client retries with a new nonce instead of asking its user for the password;
 * the old nonce never authenticates (its nonce counts were lost with the old process), and a wrong
 * password on it gets a plain challenge.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { SipResponse } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { challengesOf, digestAuthorization, firstNonce } from '../sip/auth/digest-client.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { login, loginStep } from '../support/sip-login.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const REGISTER = { method: 'REGISTER', user: 'alice', password: PASSWORD } as const;

function staleOf(response: SipResponse): string | undefined {
  assert.equal(response.status, 401, `${String(response.status)} ${response.reason}`);
  return challengesOf(response)[0]?.stale;
}

describe('missive serve: nonces of the previous process after a restart', () => {
  const peers = new Cleanup();
  after(() => peers.run());

  test('credentials for an old nonce get stale=true when right, a plain challenge when wrong', async () => {
    const first = await MissiveProcess.start({ domain: DOMAIN, users: [['alice', PASSWORD]] });
    const server = { host: LOOPBACK, port: first.ports.sip };
    const ua = peers.add(await Agent.overUdp('alice', PASSWORD, server, DOMAIN, '127.0.0.2'));
    const callId = randomBytes(8).toString('hex');
    const challenge = await loginStep(ua, REGISTER, callId);
    const nonce = firstNonce(challenge);
    const credentials = (password: string, nc: number): readonly [string, string] => [
      'Authorization',
      digestAuthorization({
        username: 'alice',
        realm: DOMAIN,
        password,
        nonce,
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
        nc,
      }),
    ];
    assert.equal((await loginStep(ua, REGISTER, callId, credentials(PASSWORD, 1))).status, 200, 'registered');

    await first.kill();
    const second = peers.add(
      await MissiveProcess.start({ domain: DOMAIN, users: [], dataDir: first.dataDir, ports: first.ports }),
    );
    assert.equal(second.ports.sip, server.port);

    assert.equal(
      staleOf(await loginStep(ua, REGISTER, callId, credentials(PASSWORD, 2))),
      'true',
      'right password',
    );
    assert.equal(
      staleOf(await loginStep(ua, REGISTER, callId, credentials(PASSWORD, 3))),
      'true',
      'never accepted',
    );
    assert.equal(
      staleOf(await loginStep(ua, REGISTER, callId, credentials('wrong', 4))),
      undefined,
      'wrong password',
    );
    const again = await login(ua, REGISTER);
    assert.equal(again.answer?.status, 200, 'a fresh nonce works');
  });
});
