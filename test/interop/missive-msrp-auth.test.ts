/**
 * MSRP AUTH at the relay inside `missive serve`, which checks the SIP accounts' passwords (security issue
 * 10, point 1): an unknown user and a wrong password get byte-identical answers; reconnecting does not
 * buy fresh guesses; and the relay and SIP share one failed-login limiter, so failures over MSRP from a
 * source block SIP logins from that source (and no other).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authRequest, authorization, requestChallenge } from '../msrp/harness/auth.js';
import { connectClient } from '../msrp/harness/client.js';
import type { MsrpConnection } from '../msrp/harness/connection.js';
import { type MsrpMessage, show } from '../msrp/harness/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { login } from '../support/sip-login.js';

const PASSWORD = 'secret';
const DOMAIN = 'example.test';
/** The default failures for one account from one source that block the pair. */
const PAIR_LIMIT = 5;
/** The default failures from one source, over any accounts, that block the source (--login-source-max-failures). */
const SOURCE_LIMIT = 60;
const FROM_URI = 'msrps://127.0.0.1:40001/client;tcp';
const TOO_MANY = 'Unauthorized: Login failed: Too many failed attempts';

describe('missive serve: MSRP AUTH and the shared failed-login limiter', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let toUri: string;

  before(async () => {
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    toUri = `msrps://${DOMAIN}:${String(missive.ports.msrp)};tcp`;
  });
  after(() => peers.run());

  const connect = async (source: string): Promise<MsrpConnection> => {
    const connection = await connectClient({ port: missive.ports.msrp, tls: true, localAddress: source });
    peers.add({ stop: () => Promise.resolve(connection.socket.destroy()) });
    return connection;
  };

  /** One AUTH answered with these credentials on `connection`; the relay's reply. */
  const attempt = async (
    connection: MsrpConnection,
    username: string,
    password: string,
    tid = 'a1b2c3d4',
  ): Promise<MsrpMessage> => {
    const challenge = await requestChallenge(connection, { toUri, fromUri: FROM_URI });
    const headers = [['Authorization', authorization(challenge, toUri, { username, password })]] as const;
    await connection.write(authRequest({ tid, toUri, fromUri: FROM_URI, headers }));
    return connection.nextMessage();
  };

  /** `count` wrong passwords from `source`, two per connection (the relay closes at its third). */
  const failAuths = async (source: string, username: (i: number) => string, count: number): Promise<void> => {
    let connection: MsrpConnection | undefined;
    for (let i = 0; i < count; i++) {
      if (i % 2 === 0) {
        connection?.socket.destroy();
        connection = await connect(source);
      }
      assert.ok(connection !== undefined);
      const reply = await attempt(connection, username(i), 'wrong');
      assert.equal(reply.status, 403, `failure ${String(i + 1)}: ${show(reply)}`);
    }
    connection?.socket.destroy();
  };

  const register = async (source: string, user: string): Promise<number | undefined> => {
    const ua = peers.add(
      await Agent.overUdp(user, PASSWORD, { host: LOOPBACK, port: missive.ports.sip }, DOMAIN, source),
    );
    const { first, answer } = await login(ua, { method: 'REGISTER', user, password: PASSWORD });
    return answer?.status ?? first.status;
  };

  test('an unknown user and a wrong password get byte-identical failure answers', async () => {
    const wrong = await attempt(await connect('127.0.0.2'), 'alice', 'wrong');
    const unknown = await attempt(await connect('127.0.0.2'), 'mallory', 'wrong');
    assert.equal(wrong.startLine, 'MSRP a1b2c3d4 403 Unauthorized: Login failed: Incorrect password');
    assert.equal(unknown.bytes.toString('latin1'), wrong.bytes.toString('latin1'));
  });

  test(`failures across reconnections are limited: after ${String(PAIR_LIMIT)}, even the right password is refused`, async () => {
    await failAuths('127.0.0.3', () => 'bob', PAIR_LIMIT);
    const refused = await attempt(await connect('127.0.0.3'), 'bob', PASSWORD);
    assert.equal(refused.startLine, `MSRP a1b2c3d4 403 ${TOO_MANY}`, show(refused));
    const elsewhere = await attempt(await connect('127.0.0.4'), 'bob', PASSWORD);
    assert.equal(elsewhere.status, 200, `bob from another source: ${show(elsewhere)}`);
  });

  test('MSRP failures for an account block SIP REGISTERs of that account from that source only', async () => {
    await failAuths('127.0.0.5', () => 'carol', PAIR_LIMIT);
    assert.equal(await register('127.0.0.5', 'carol'), 403, 'the right password, from the guessing source');
    assert.equal(await register('127.0.0.5', 'dave'), 200, 'another account from that source');
    assert.equal(await register('127.0.0.6', 'carol'), 200, 'carol from another source');
  });

  test(`${String(SOURCE_LIMIT)} MSRP failures for made-up users block the source for SIP, for every account`, async () => {
    await failAuths('127.0.0.7', (i) => `ghost${String(i)}`, SOURCE_LIMIT);
    assert.equal(await register('127.0.0.7', 'erin'), 403, 'erin never failed, but the source sprayed');
    assert.equal(await register('127.0.0.8', 'erin'), 200, 'another source');
  });
});
