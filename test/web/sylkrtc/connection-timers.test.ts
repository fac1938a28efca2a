/**
 * A sylkRTC connection's timers on the manual clock (src/web/sylkrtc/connection.ts): WebSocket pings every
 * pingIntervalSeconds and a close when no Pong comes within half of it (sylk spec §1.1); the login deadline
 * for a connection with no registered account; start-up (requests queued until the ready-event, close code
 * 3000 on a failure) on a stand-in socket; and the small parts that decide (origin-policy.ts, request-rate.ts).
 */
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { LoginLimiter } from '../../../src/auth/login-limiter.js';
import { MemoryCredentialStore } from '../../../src/credentials/memory.js';
import { WebServer } from '../../../src/web/http-server.js';
import type { WebSocket } from 'ws';
import { SylkRtcConnection } from '../../../src/web/sylkrtc/connection.js';
import { Ha1Check } from '../../../src/web/sylkrtc/ha1-check.js';
import { OriginPolicy } from '../../../src/web/sylkrtc/origin-policy.js';
import { DEFAULT_SYLKRTC_SETTINGS } from '../../../src/web/sylkrtc/settings.js';
import { RequestRate } from '../../../src/web/sylkrtc/request-rate.js';
import { SylkRtcApi } from '../../../src/web/sylkrtc/sylkrtc-api.js';
import { ManualClock } from '../../support/manual-clock.js';
import { ha1, WebSocketClient } from '../../support/websocket-client.js';

const ALICE = 'alice@example.test';
const PING_SECONDS = 120;
const LOGIN_SECONDS = 60;

describe('sylkRTC connection timers', () => {
  const clock = new ManualClock(1_000_000);
  let server: WebServer;
  let api: SylkRtcApi;
  let url: string;
  const clients: WebSocketClient[] = [];

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

  const open = async (options = {}): Promise<WebSocketClient> => {
    const client = await WebSocketClient.ready(url, options);
    clients.push(client);
    return client;
  };

  const register = async (client: WebSocketClient): Promise<void> => {
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
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-2']), 503);
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

/** The parts of a ws WebSocket a SylkRtcConnection uses, recording what it is told. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  binaryType = 'nodebuffer';
  readonly sent: unknown[] = [];
  closedWith: [number, string] | undefined;

  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }
  terminate(): void {
    this.readyState = 3;
  }
  ping(): void {}
}

describe('sylkRTC connection start-up (sylk spec §1.2)', () => {
  const connection = (socket: FakeSocket, clock: ManualClock): SylkRtcConnection =>
    new SylkRtcConnection({
      id: 'c1',
      socket: socket as unknown as WebSocket,
      source: '127.0.0.1',
      settings: DEFAULT_SYLKRTC_SETTINGS,
      clock,
      ha1Check: new Ha1Check(new MemoryCredentialStore([]), new LoginLimiter(clock)),
      messaging: undefined,
      touchAccount: () => Promise.resolve(),
      logger: undefined,
      onClose: () => undefined,
    });

  test('requests that arrive while starting wait; the ready-event comes first, then their answers in order', async () => {
    const socket = new FakeSocket();
    const started = connection(socket, new ManualClock(0));
    socket.emit('message', Buffer.from('{"sylkrtc":"ping","transaction":"a"}'), false);
    socket.emit('message', Buffer.from('{"sylkrtc":"ping","transaction":"b"}'), false);
    assert.deepEqual(socket.sent, [], 'nothing before start-up is done');
    started.started();
    for (let i = 0; i < 10 && socket.sent.length < 3; i++)
      await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(socket.sent, [
      { sylkrtc: 'ready-event' },
      { transaction: 'a', sylkrtc: 'ack' },
      { transaction: 'b', sylkrtc: 'ack' },
    ]);
  });

  test('a start-up failure closes with 3000 and the error as the reason, nothing sent', () => {
    const socket = new FakeSocket();
    const failing = connection(socket, new ManualClock(0));
    socket.emit('message', Buffer.from('{"sylkrtc":"ping","transaction":"a"}'), false);
    failing.started('Backend is not connected');
    assert.deepEqual(socket.closedWith, [3000, 'Backend is not connected']);
    assert.deepEqual(socket.sent, []);
    assert.equal(failing.closed, true);
  });
});
