/**
 * A sylkRTC connection's timers on the manual clock (src/web/sylkrtc/connection.ts): WebSocket pings every
 * pingIntervalSeconds and a close when no Pong comes within half of it (sylk spec §1.1); the login deadline
 * for a connection with no registered account; and the small parts that decide (origin-policy.ts,
 * request-rate.ts).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { LoginLimiter } from '../../../src/auth/login-limiter.js';
import { MemoryCredentialStore } from '../../../src/credentials/memory.js';
import { WebServer } from '../../../src/web/http-server.js';
import { OriginPolicy } from '../../../src/web/sylkrtc/origin-policy.js';
import { RequestRate } from '../../../src/web/sylkrtc/request-rate.js';
import { SylkRtcApi } from '../../../src/web/sylkrtc/sylkrtc-api.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { ha1, SylkRtcClient } from './sylkrtc-client.js';

const ALICE = 'alice@example.test';
const PING_SECONDS = 120;
const LOGIN_SECONDS = 60;

describe('sylkRTC connection timers', () => {
  const clock = new ManualClock(1_000_000);
  let server: WebServer;
  let api: SylkRtcApi;
  let url: string;
  const clients: SylkRtcClient[] = [];

  before(async () => {
    api = new SylkRtcApi({
      credentials: new MemoryCredentialStore([[ALICE, 'secret']]),
      loginGate: new LoginLimiter(clock),
      touchAccount: () => Promise.resolve(),
      clock,
      settings: { pingIntervalSeconds: PING_SECONDS, loginTimeoutSeconds: LOGIN_SECONDS },
    });
    server = new WebServer({ fetch: () => new Response('no'), upgrades: { api }, clock });
    const address = await server.listen('127.0.0.1', 0);
    url = `ws://127.0.0.1:${String(address.port)}/webrtcgateway/ws`;
  });
  after(async () => {
    for (const client of clients) await client.stop();
    api.close();
    await server.close();
  });

  const open = async (options = {}): Promise<SylkRtcClient> => {
    const client = await SylkRtcClient.ready(url, options);
    clients.push(client);
    return client;
  };

  const register = async (client: SylkRtcClient): Promise<void> => {
    await client.call({ sylkrtc: 'account-add', account: ALICE, password: ha1(ALICE, 'secret') });
    await client.call({ sylkrtc: 'account-register', account: ALICE });
    await client.next();
    assert.equal((await client.next()).state, 'registered');
  };

  test('a ping every interval; a client that answers stays, one that does not is closed after half of it', async () => {
    const answering = await open();
    const silent = await open({ autoPong: false });
    await register(answering);
    await register(silent);
    const pinged = [once(answering.socket, 'ping'), once(silent.socket, 'ping')];
    clock.advance(PING_SECONDS * 1000);
    await Promise.all(pinged);
    // The pong went out before this request: once it is answered, the server has had the pong.
    assert.equal((await answering.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
    assert.equal((await silent.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
    clock.advance((PING_SECONDS * 1000) / 2);
    assert.equal((await silent.closedWith()).code, 1006, 'terminated');
    assert.equal((await answering.call({ sylkrtc: 'ping' })).sylkrtc, 'ack', 'the answering one is kept');
  });

  test('no registered account within loginTimeoutSeconds: closed with 1008', async () => {
    const idle = await open();
    const working = await open();
    await idle.call({ sylkrtc: 'account-add', account: ALICE, password: ha1(ALICE, 'wrong') });
    await register(working);
    clock.advance(LOGIN_SECONDS * 1000);
    assert.deepEqual(await idle.closedWith(), { code: 1008, reason: 'No account registered in time' });
    assert.equal((await working.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
  });

  test('a server closing: its connections get 1001', async () => {
    const client = await open();
    await register(client);
    api.close();
    assert.deepEqual(await client.closedWith(), { code: 1001, reason: 'Server is shutting down' });
    assert.equal(await SylkRtcClient.refusal(url, ['sylkRTC-2']), 503);
  });
});

describe('OriginPolicy and RequestRate', () => {
  test('origins: * any, patterns whole, null only with exactly *, no Origin not checked', () => {
    const any = new OriginPolicy(['*']);
    assert.ok(any.allows('https://x.test') && any.allows('null') && any.allows(undefined));
    const some = new OriginPolicy(['https://*.example.test', 'http://localhost:3000']);
    assert.ok(some.allows('https://app.example.test'));
    assert.ok(some.allows('http://localhost:3000'));
    assert.ok(!some.allows('https://example.test.evil.test'));
    assert.ok(!some.allows('http://localhost:30000'));
    assert.ok(!some.allows('null'));
    assert.ok(some.allows(undefined));
    assert.ok(!new OriginPolicy(['*', 'https://a.test']).allows('null'));
  });

  test('a burst, then the rate', () => {
    const clock = new ManualClock(0);
    const rate = new RequestRate(clock, 2, 3);
    assert.deepEqual([rate.take(), rate.take(), rate.take(), rate.take()], [true, true, true, false]);
    clock.advance(500);
    assert.deepEqual([rate.take(), rate.take()], [true, false]);
    clock.advance(10_000);
    assert.deepEqual([rate.take(), rate.take(), rate.take(), rate.take()], [true, true, true, false]);
  });
});
