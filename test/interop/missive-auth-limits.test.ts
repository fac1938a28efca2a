/**
 * Failed digest logins against `missive serve`, end to end over UDP from several source addresses (127.0.0.x):
 * an unknown user and a wrong password get the same answer on the registrar (401) and the proxy (407) paths;
 * a source is blocked after its failures over any accounts (--login-source-max-failures, set low here) and a
 * (source, account) pair after 5, across both paths, with 403 "Too Many Failed Attempts", while others keep
 * working; and failures for an account from many sources never lock its user out (security issue 10, point 3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SipResponse } from '../../src/sip/message/message.js';
import { challengesOf } from '../sip/auth/digest-client.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { login } from '../support/sip-login.js';

const PASSWORD = 'secret';
const DOMAIN = 'example.test';
/** --login-source-max-failures for this test (default 60). */
const SOURCE_MAX_FAILURES = 10;
/** The default --login-pair-max-failures. */
const PAIR_MAX_FAILURES = 5;
const LOCKED = 'Too Many Failed Attempts';

/** What a client can tell apart: status, reason, header names in order, challenge parameters but the nonce. */
function shape(response: SipResponse | undefined): unknown {
  assert.ok(response !== undefined, 'an answer to the credentials');
  return {
    status: response.status,
    reason: response.reason,
    headers: response.headers.fields().map((field) => field.key),
    challenges: challengesOf(response).map((challenge) => ({ ...challenge, nonce: 'any' })),
    body: response.body.length,
  };
}

describe('missive: failed logins', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  const client = async (host: string): Promise<Agent> =>
    peers.add(await Agent.overUdp('anyone', '', { host: LOOPBACK, port: missive.ports.sip }, DOMAIN, host));

  before(async () => {
    const users = ['alice', 'bob', 'carol', 'dave'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users,
        args: ['--login-source-max-failures', String(SOURCE_MAX_FAILURES)],
      }),
    );
  });
  after(() => peers.run());

  test('an unknown user and a wrong password get the same answer, on REGISTER and on MESSAGE', async () => {
    const ua = await client('127.0.0.2');
    for (const method of ['REGISTER', 'MESSAGE'] as const) {
      const wrong = await login(ua, { method, user: 'alice', to: 'bob', password: 'wrong' });
      const unknown = await login(ua, { method, user: 'mallory', to: 'bob', password: 'wrong' });
      const expected = method === 'REGISTER' ? 401 : 407;
      assert.equal(wrong.first.status, expected);
      assert.equal(wrong.answer?.status, expected, 'challenged again');
      assert.deepEqual(shape(unknown.answer), shape(wrong.answer));
      assert.deepEqual(shape(unknown.first), shape(wrong.first));
    }
  });

  test(`a source address is refused after ${String(SOURCE_MAX_FAILURES)} failures, on both paths`, async () => {
    const attacker = await client('127.0.0.20');
    // A different (unknown) account each time: only the per-address count reaches the limit.
    for (let i = 0; i < SOURCE_MAX_FAILURES; i++) {
      const method = i % 2 === 0 ? 'REGISTER' : 'MESSAGE';
      const { answer } = await login(attacker, {
        method,
        user: `guess${String(i)}`,
        to: 'bob',
        password: 'x',
      });
      assert.equal(answer?.status, method === 'REGISTER' ? 401 : 407, `failure ${String(i + 1)}`);
    }
    for (const method of ['REGISTER', 'MESSAGE'] as const) {
      const refused = await login(attacker, { method, user: 'bob', to: 'alice', password: PASSWORD });
      assert.equal(
        refused.first.status,
        403,
        `${method} from the locked-out address, even without credentials`,
      );
      assert.equal(refused.first.reason, LOCKED);
    }
    const neighbour = await client('127.0.0.21');
    const ok = await login(neighbour, { method: 'REGISTER', user: 'bob', password: PASSWORD });
    assert.equal(ok.answer?.status, 200, 'another address is not affected');
  });

  test('10 wrong REGISTERs for an account from 10 addresses do not lock its user out', async () => {
    // What used to lock carol out for 300 s on every transport.
    for (let i = 0; i < 10; i++) {
      const ua = await client(`127.0.0.${String(30 + i)}`);
      const { answer } = await login(ua, {
        method: 'REGISTER',
        user: 'carol',
        password: `guess${String(i)}`,
      });
      assert.equal(answer?.status, 401, `failure ${String(i + 1)}`);
    }
    const real = await client('127.0.0.50');
    const registered = await login(real, { method: 'REGISTER', user: 'carol', password: PASSWORD });
    assert.equal(registered.answer?.status, 200, 'carol with the right password from her own address');
    const sent = await login(real, { method: 'MESSAGE', user: 'carol', to: 'dave', password: PASSWORD });
    assert.ok(sent.answer !== undefined, 'her MESSAGE was challenged and answered');
    assert.ok(![403, 407].includes(sent.answer.status), `MESSAGE answered ${String(sent.answer.status)}`);
  });

  test(`a (source, account) pair is refused after ${String(PAIR_MAX_FAILURES)} failures, on both paths`, async () => {
    const guesser = await client('127.0.0.60');
    for (let i = 0; i < PAIR_MAX_FAILURES; i++) {
      const method = i % 2 === 0 ? 'REGISTER' : 'MESSAGE';
      const { answer } = await login(guesser, {
        method,
        user: 'dave',
        to: 'alice',
        password: `guess${String(i)}`,
      });
      assert.equal(answer?.status, method === 'REGISTER' ? 401 : 407, `failure ${String(i + 1)}`);
    }
    for (const method of ['REGISTER', 'MESSAGE'] as const) {
      const refused = await login(guesser, { method, user: 'dave', to: 'alice', password: PASSWORD });
      assert.equal(
        refused.answer?.status,
        403,
        `${method} for dave from the guessing address, right password`,
      );
      assert.equal(refused.answer.reason, LOCKED);
    }
    const other = await login(guesser, { method: 'REGISTER', user: 'alice', password: PASSWORD });
    assert.equal(other.answer?.status, 200, 'another account from the same address is not affected');
    const elsewhere = await client('127.0.0.61');
    const dave = await login(elsewhere, { method: 'REGISTER', user: 'dave', password: PASSWORD });
    assert.equal(dave.answer?.status, 200, 'dave from another address is not affected');
  });
});
