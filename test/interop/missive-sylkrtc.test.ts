/**
 * The sylkRTC WebSocket API of a real `missive serve` (sylk spec §1, §9 tests 1–15, 32), driven by a client
 * written from the spec (test/support/websocket-client.ts): the handshake and ready-event, the envelope
 * (acks, errors with the reference's texts, silence for unknown types), accounts registered by the HA1
 * checked against the subscriber table, and the limits of issue 12: frame size, request rate, accounts per
 * connection, time to register, connections per source, the Origin policy, and failed account-register
 * attempts counted in the failed-login limiter SIP digest shares.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { ha1, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { login } from '../support/sip-login.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const users = ['alice', 'bob', 'carol', 'dave'].map((user) => [user, PASSWORD] as const);

const registered = (account: string, state: string, reason?: string): Record<string, unknown> => ({
  sylkrtc: 'account-event',
  account,
  event: 'registration-state',
  state,
  ...(reason === undefined ? {} : { reason }),
});

describe('missive serve: the sylkRTC WebSocket API', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let url: string;
  const open = async (options = {}): Promise<WebSocketClient> =>
    peers.add(await WebSocketClient.ready(url, options));

  before(async () => {
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
  });
  after(() => peers.run());

  test('handshake: sylkRTC-2 selected, ready-event first; without the subprotocol 406 (sylk spec §9 tests 1, 2)', async () => {
    assert.equal(await WebSocketClient.refusal(url, []), 406);
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-1']), 406);
    const client = peers.add(await WebSocketClient.connect(url));
    assert.equal(client.socket.protocol, 'sylkRTC-2');
    assert.match(String(client.upgrade?.headers.server), /^SylkServer\//);
    assert.deepEqual(await client.next(), { sylkrtc: 'ready-event' });
  });

  test('a request sent at once is answered after the ready-event, requests in order (sylk spec §9 test 10)', async () => {
    const client = peers.add(await WebSocketClient.connect(url));
    // Sent from the open callback, before the ready-event can have been read.
    client.send({ sylkrtc: 'ping', transaction: 'early-1' });
    client.send({ sylkrtc: 'ping', transaction: 'early-2' });
    assert.deepEqual(await client.next(), { sylkrtc: 'ready-event' });
    assert.deepEqual(await client.next(), { transaction: 'early-1', sylkrtc: 'ack' });
    assert.deepEqual(await client.next(), { transaction: 'early-2', sylkrtc: 'ack' });
  });

  test('ping is acked; unknown types, frames without sylkrtc, non-objects and binary frames get nothing (sylk spec §9 tests 3–5)', async () => {
    const client = await open();
    assert.deepEqual(await client.call({ sylkrtc: 'ping', transaction: 't1' }), {
      transaction: 't1',
      sylkrtc: 'ack',
    });
    client.send({ sylkrtc: 'foo-bar', transaction: 't2' });
    client.send({ transaction: 't3' });
    client.sendText('[1, 2, 3]');
    client.sendText('{"sylkrtc": "ping", "transaction": ');
    client.sendText('"just a string"');
    client.socket.send(Buffer.from('{"sylkrtc":"ping","transaction":"binary"}'), { binary: true });
    client.sendText('{"sylkrtc":"ping"}');
    // The next frame is the ack of a later ping: nothing was sent for what came before it.
    assert.deepEqual(await client.call({ sylkrtc: 'ping', transaction: 't4' }), {
      transaction: 't4',
      sylkrtc: 'ack',
    });
    assert.equal(client.closed, false);
  });

  test('validation errors with the reference texts (sylk spec §9 tests 6, 7, 15, 32)', async () => {
    const client = await open();
    const error = async (request: Record<string, unknown>): Promise<unknown> => {
      const reply = await client.call(request);
      assert.equal(reply.sylkrtc, 'error', JSON.stringify(reply));
      assert.equal(reply.transaction, request.transaction);
      return reply.error;
    };
    assert.equal(
      await error({ sylkrtc: 'account-add', transaction: 'v1', account: ALICE }),
      "Mandatory property 'password' of 'AccountAddRequest' object is missing",
    );
    assert.equal(
      await error({ sylkrtc: 'account-add', transaction: 'v2', account: ALICE, password: '' }),
      "the value's length must be between 1 and 9999 inclusive",
    );
    assert.equal(
      await error({ sylkrtc: 'account-add', transaction: 'v3', account: 'alice@', password: 'x' }),
      'invalid SIP URI: alice@',
    );
    assert.equal(
      await error({ sylkrtc: 'account-add', transaction: 'v4', account: 7, password: 'x' }),
      "Invalid value for 'account' property: 7",
    );
    const token = {
      sylkrtc: 'account-devicetoken',
      account: ALICE,
      token: 't',
      platform: 'ios',
      device: 'd1',
      app: 'a',
    };
    assert.equal(
      await error({ ...token, transaction: 'v5' }),
      "Mandatory property 'silent' of 'AccountDeviceTokenRequest' object is missing",
    );
    assert.equal(
      await error({ ...token, transaction: 'v6', silent: 1 }),
      "Invalid value for 'silent' property: 1",
    );
    assert.equal(
      await error({
        sylkrtc: 'account-disposition-notification',
        transaction: 'v7',
        account: ALICE,
        uri: BOB,
        message_id: 'm2',
        state: 'processed',
        timestamp: '2024-05-01T10:00:00Z',
      }),
      "Invalid value for 'state' property: 'processed' (expected: delivered, displayed, error, failed or forbidden)",
    );
    assert.equal(
      await error({ sylkrtc: 'account-sync-conversations', transaction: 'v8', account: ALICE, limit: '5' }),
      "Invalid value for 'limit' property: '5'",
    );
    assert.equal(
      await error({ sylkrtc: 'ping', transaction: 5 }),
      "Invalid value for 'transaction' property: 5",
    );
  });

  test('account-add: the AOR without scheme, added once per connection; a domain not served is refused (sylk spec §9 tests 8, 9)', async () => {
    const client = await open();
    const add = (account: string, transaction: string): Promise<Record<string, unknown>> =>
      client.call({ sylkrtc: 'account-add', transaction, account, password: ha1(ALICE, PASSWORD) });
    assert.deepEqual(await add(`sip:${ALICE}`, 'a1'), { transaction: 'a1', sylkrtc: 'ack' });
    assert.deepEqual(await add(ALICE, 'a2'), {
      transaction: 'a2',
      sylkrtc: 'error',
      error: `Account ${ALICE} already added`,
    });
    assert.deepEqual(await add('carol@other.org', 'a3'), {
      transaction: 'a3',
      sylkrtc: 'error',
      error: 'SIP domain not allowed: other.org',
    });
    // The same account on another connection: another device.
    const other = await open();
    assert.equal(
      (await other.call({ sylkrtc: 'account-add', account: ALICE, password: 'x' })).sylkrtc,
      'ack',
    );
  });

  test('account-register: unknown account; right HA1 registered; wrong HA1 failed and still not authenticated (sylk spec §9 tests 11–14)', async () => {
    const client = await open();
    assert.deepEqual(
      await client.call({ sylkrtc: 'account-register', transaction: 'r0', account: 'x@example.test' }),
      {
        transaction: 'r0',
        sylkrtc: 'error',
        error: 'Unknown account specified for register: x@example.test',
      },
    );
    await client.call({ sylkrtc: 'account-add', account: ALICE, password: ha1(ALICE, PASSWORD) });
    await client.call({ sylkrtc: 'account-add', account: BOB, password: ha1(BOB, 'wrong') });
    for (const request of [
      {
        sylkrtc: 'account-message',
        account: BOB,
        uri: ALICE,
        message_id: 'm1',
        content: 'hi',
        content_type: 'text/plain',
        timestamp: '2024-05-01T10:00:00.000Z',
      },
      { sylkrtc: 'account-sync-conversations', account: BOB },
      { sylkrtc: 'account-mark-conversation-read', account: BOB, contact: ALICE },
    ]) {
      assert.equal((await client.call(request)).error, 'Account not authenticated', request.sylkrtc);
    }
    assert.equal(
      (
        await client.call({
          sylkrtc: 'account-remove-conversation',
          account: 'nobody@example.test',
          contact: ALICE,
        })
      ).error,
      'Unknown account specified: nobody@example.test',
    );
    assert.deepEqual(await client.call({ sylkrtc: 'account-register', transaction: 'r1', account: ALICE }), {
      transaction: 'r1',
      sylkrtc: 'ack',
    });
    assert.deepEqual(await client.next(), registered(ALICE, 'registering'));
    assert.deepEqual(await client.next(), registered(ALICE, 'registered'));
    // sylk spec §1.7.1 step 6 (sylk spec §9 test 13): the storage account exists, its last login now.
    const store = await openStore(missive.storeUri);
    try {
      const storage = await store.storageAccounts.get(ALICE);
      assert.ok(
        storage !== undefined && Math.abs(storage.lastLogin - Date.now()) < 60_000,
        JSON.stringify(storage),
      );
    } finally {
      await store.close();
    }
    await client.call({ sylkrtc: 'account-register', account: BOB });
    assert.deepEqual(await client.next(), registered(BOB, 'registering'));
    assert.deepEqual(await client.next(), registered(BOB, 'failed', '403 Forbidden'));
    assert.equal(
      (await client.call({ sylkrtc: 'account-sync-conversations', account: BOB })).error,
      'Account not authenticated',
    );
    // Unregistered: no longer authenticated (a deliberate difference from the reference, sylk spec §1.4.4).
    assert.equal((await client.call({ sylkrtc: 'account-unregister', account: ALICE })).sylkrtc, 'ack');
    assert.equal(
      (await client.call({ sylkrtc: 'account-sync-conversations', account: ALICE })).error,
      'Account not authenticated',
    );
    assert.equal((await client.call({ sylkrtc: 'account-remove', account: ALICE })).sylkrtc, 'ack');
    assert.equal(
      (await client.call({ sylkrtc: 'account-remove', account: ALICE })).error,
      `Unknown account specified for remove: ${ALICE}`,
    );
    assert.equal(
      (await client.call({ sylkrtc: 'account-unregister', account: ALICE })).error,
      `Unknown account specified for unregister: ${ALICE}`,
    );
    assert.equal(
      (
        await client.call({
          ...{ sylkrtc: 'account-devicetoken', account: ALICE },
          token: 't',
          platform: 'p',
          device: 'd',
          silent: true,
          app: 'a',
        })
      ).error,
      `Unknown account specified for token: ${ALICE}`,
    );
  });

  test('calls and video rooms get an error that says they are not supported', async () => {
    const client = await open();
    for (const sylkrtc of ['session-create', 'videoroom-join', 'session-terminate']) {
      const reply = await client.call({ sylkrtc, session: 's1', account: ALICE, uri: BOB, sdp: 'v=0' });
      assert.equal(reply.sylkrtc, 'error', sylkrtc);
      assert.equal(reply.error, 'Calls and video rooms are not supported by this server');
    }
  });

  test('a restart of missive: the connection closes, the client reconnects and registers again', async () => {
    const client = await open();
    await client.call({ sylkrtc: 'account-add', account: BOB, password: ha1(BOB, PASSWORD) });
    await client.call({ sylkrtc: 'account-register', account: BOB });
    await client.next();
    assert.deepEqual(await client.next(), registered(BOB, 'registered'));
    await missive.kill();
    await client.closedWith();
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [],
        dataDir: missive.dataDir,
        ports: missive.ports,
      }),
    );
    // Nothing about accounts survives a connection (sylk spec §1.2 step 4): the client adds and registers again.
    const again = await open();
    assert.equal(
      (await again.call({ sylkrtc: 'account-sync-conversations', account: BOB })).error,
      `Unknown account specified: ${BOB}`,
    );
    await again.call({ sylkrtc: 'account-add', account: BOB, password: ha1(BOB, PASSWORD) });
    await again.call({ sylkrtc: 'account-register', account: BOB });
    await again.next();
    assert.deepEqual(await again.next(), registered(BOB, 'registered'));
  });
});

describe('missive serve: the sylkRTC API under attack', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let url: string;
  const FRAME_LIMIT = 8192;
  const BURST = 20;

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users,
        args: [
          '--ws-max-frame-bytes',
          String(FRAME_LIMIT),
          '--ws-request-burst',
          String(BURST),
          '--ws-request-rate',
          '1',
          '--ws-max-accounts',
          '2',
          '--ws-login-timeout',
          '3',
          '--max-connections-per-source',
          '3',
          '--web-origin',
          'https://*.example.test',
          '--login-pair-max-failures',
          '2',
        ],
      }),
    );
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
  });
  after(() => peers.run());

  const open = async (localAddress: string, options = {}): Promise<WebSocketClient> =>
    peers.add(await WebSocketClient.ready(url, { localAddress, ...options }));

  test('a frame over --ws-max-frame-bytes is answered with an error and the connection kept; twice that closes it (1009)', async () => {
    const client = await open('127.0.0.11');
    const big = { sylkrtc: 'ping', transaction: 'big', padding: 'x'.repeat(FRAME_LIMIT) };
    assert.deepEqual(await client.call(big), {
      transaction: 'big',
      sylkrtc: 'error',
      error: `Request too large: ${String(JSON.stringify(big).length)} bytes (limit ${String(FRAME_LIMIT)})`,
    });
    assert.equal((await client.call({ sylkrtc: 'ping' })).sylkrtc, 'ack', 'the connection is kept');
    client.send({ sylkrtc: 'ping', padding: 'x'.repeat(FRAME_LIMIT * 2) });
    assert.equal((await client.closedWith()).code, 1009);
  });

  test('requests beyond --ws-request-burst get an error, the connection is kept', async () => {
    const client = await open('127.0.0.12');
    const count = BURST + 5;
    for (let i = 0; i < count; i++) client.send({ sylkrtc: 'ping', transaction: `p${String(i)}` });
    const replies = new Map<unknown, Record<string, unknown>>();
    for (let i = 0; i < count; i++) {
      const reply = await client.next();
      replies.set(reply.transaction, reply);
    }
    // Refusals are sent at once, acks in turn: what counts is which request got which.
    for (let i = 0; i < BURST; i++)
      assert.equal(replies.get(`p${String(i)}`)?.sylkrtc, 'ack', `p${String(i)}`);
    const refused = [...replies.values()].filter((reply) => reply.sylkrtc === 'error');
    assert.ok(refused.length >= 3, `refused: ${String(refused.length)}`);
    for (const reply of refused) assert.equal(reply.error, 'Too many requests (limit 1 per second)');
    // Refilled at 1 per second: a later ping is answered.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await client.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
  });

  test('every frame counts in the rate: a flood of unknown types closes the connection (1008), a neighbour is unaffected', async () => {
    const neighbour = await open('127.0.0.21');
    const flooder = await open('127.0.0.22');
    // Never answered one by one, so without the count they would cost nothing: a burst, and a burst beyond.
    for (let i = 0; i < BURST * 3; i++) flooder.sendText('{"sylkrtc":"foo-bar","transaction":"x"}');
    assert.deepEqual(await flooder.closedWith(), { code: 1008, reason: 'Too many requests' });
    assert.equal((await neighbour.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
  });

  test('more accounts than --ws-max-accounts on one connection are refused', async () => {
    const client = await open('127.0.0.13');
    for (const account of [ALICE, BOB]) {
      assert.equal((await client.call({ sylkrtc: 'account-add', account, password: 'x' })).sylkrtc, 'ack');
    }
    assert.deepEqual(
      await client.call({
        sylkrtc: 'account-add',
        transaction: 'c3',
        account: `carol@${DOMAIN}`,
        password: 'x',
      }),
      {
        transaction: 'c3',
        sylkrtc: 'error',
        error: 'Too many accounts on this connection (limit 2)',
      },
    );
  });

  test('a connection with no registered account after --ws-login-timeout is closed; a registered one stays', async () => {
    const idle = await open('127.0.0.14');
    const working = await open('127.0.0.15');
    await working.call({
      sylkrtc: 'account-add',
      account: `dave@${DOMAIN}`,
      password: ha1(`dave@${DOMAIN}`, PASSWORD),
    });
    await working.call({ sylkrtc: 'account-register', account: `dave@${DOMAIN}` });
    await working.next();
    assert.deepEqual(await working.next(), registered(`dave@${DOMAIN}`, 'registered'));
    assert.deepEqual(await idle.closedWith(), { code: 1008, reason: 'No account registered in time' });
    // Well after the idle one's deadline, the registered one still answers.
    assert.equal((await working.call({ sylkrtc: 'ping' })).sylkrtc, 'ack');
  });

  test('sylkRTC connections count in --max-connections-per-source', async () => {
    for (let i = 0; i < 3; i++) await open('127.0.0.16');
    await assert.rejects(WebSocketClient.connect(url, { localAddress: '127.0.0.16' }));
    await open('127.0.0.17');
  });

  test('the Origin policy (--web-origin): a browser from elsewhere is refused with 400, no Origin is not checked', async () => {
    const origin = (value: string): { headers: Record<string, string>; localAddress: string } => ({
      headers: { Origin: value },
      localAddress: '127.0.0.18',
    });
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-2'], origin('https://evil.test')), 400);
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-2'], origin('null')), 400);
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-2'], origin('https://app.example.test')), 0);
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-2'], { localAddress: '127.0.0.18' }), 0);
  });

  test('failed account-register attempts count in the failed-login limiter SIP digest uses', async () => {
    const guesser = await open('127.0.0.19');
    const carol = `carol@${DOMAIN}`;
    await guesser.call({ sylkrtc: 'account-add', account: carol, password: ha1(carol, 'guess') });
    for (let i = 0; i < 2; i++) {
      await guesser.call({ sylkrtc: 'account-register', account: carol });
      assert.deepEqual(await guesser.next(), registered(carol, 'registering'));
      assert.deepEqual(await guesser.next(), registered(carol, 'failed', '403 Forbidden'));
    }
    // The right HA1 from the guessing address: blocked for carol, before the check.
    await guesser.call({ sylkrtc: 'account-remove', account: carol });
    await guesser.call({ sylkrtc: 'account-add', account: carol, password: ha1(carol, PASSWORD) });
    await guesser.call({ sylkrtc: 'account-register', account: carol });
    assert.deepEqual(await guesser.next(), registered(carol, 'registering'));
    assert.deepEqual(await guesser.next(), registered(carol, 'failed', '403 Too Many Failed Attempts'));
    // Over SIP too, from the same address: one limiter.
    const sip = peers.add(
      await Agent.overUdp(
        'carol',
        PASSWORD,
        { host: LOOPBACK, port: missive.ports.sip },
        DOMAIN,
        '127.0.0.19',
      ),
    );
    const register = await login(sip, { method: 'REGISTER', user: 'carol', password: PASSWORD });
    assert.equal(register.answer?.status ?? register.first.status, 403);
    // carol herself, from another address, is not locked out.
    const real = await open('127.0.0.20');
    await real.call({ sylkrtc: 'account-add', account: carol, password: ha1(carol, PASSWORD) });
    await real.call({ sylkrtc: 'account-register', account: carol });
    assert.deepEqual(await real.next(), registered(carol, 'registering'));
    assert.deepEqual(await real.next(), registered(carol, 'registered'));
  });
});
