/**
 * Push dispatch in a real `missive serve`, with a local HTTP server standing in for sylk-pushserver (the real
 * one cannot run here; the stand-in records the exact requests). Devices store their tokens over the
 * sylkRTC WebSocket API (account-devicetoken, sylk spec §1.4.5); alice's SIP device sends them messages.
 * The stand-in answers by token: `gone-…` 410 as sylk-pushserver does for an unregistered token, `down-…` 500
 * for ever, any other 200.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { Cleanup } from '../interop/harness/cleanup.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { waitFor } from '../support/wait.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { answerOk, PushStandIn } from './push-stand-in.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('missive serve: message pushes through a sylk-pushserver stand-in', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let alice: Agent;
  let url: string;
  const standIn = new PushStandIn((received, response) => {
    const token = String(received.json?.token);
    if (token.startsWith('gone-')) {
      response.writeHead(410, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ code: 410, description: 'Unregistered', data: { token } }));
    } else if (token.startsWith('down-')) {
      response.writeHead(500);
      response.end();
    } else answerOk(received, response);
  });

  /** A WebSocket device of `user`, registered, that stored a push token. */
  const deviceWithToken = async (user: string, token: Json): Promise<WebSocketClient> => {
    const account = `${user}@${DOMAIN}`;
    const client = peers.add(await WebSocketClient.ready(url));
    await client.register(account, PASSWORD);
    const stored = await client.request({ sylkrtc: 'account-devicetoken', account, ...token });
    assert.equal(stored.sylkrtc, 'ack', JSON.stringify(stored));
    return client;
  };

  const sendText = async (to: string, text: string): Promise<number> => {
    const response = await alice.authenticated({
      method: 'MESSAGE',
      uri: `sip:${to}@${DOMAIN}`,
      body: text,
    });
    return response.status;
  };

  before(async () => {
    peers.add(await standIn.start());
    const users = ['alice', 'bob', 'carol', 'dave'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users,
        args: ['--push-url', standIn.url, '--push-retry-window', '3'],
      }),
    );
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    alice = peers.add(
      await new Agent('alice', DOMAIN, PASSWORD, {
        transport: 'udp',
        host: '127.0.0.1',
        port: missive.ports.sip,
      }).start(),
    );
  });
  after(() => peers.run());

  test('sylk spec §9 test 43: a message from a SIP device pushes the stored iOS device with the sylk spec §5.2 request', async () => {
    await deviceWithToken('bob', {
      token: 'voip123-bg456',
      platform: 'ios',
      device: 'd1',
      silent: true,
      app: 'com.x',
    });
    assert.equal(await sendText('bob', 'yo'), 200);
    const [push] = await waitFor(() => standIn.for('bg456').length > 0 && standIn.for('bg456'), 'the push');
    assert.ok(push !== undefined);
    assert.equal(push.method, 'POST');
    assert.equal(push.path, '/push');
    assert.equal(push.headers['user-agent'], 'SylkServer');
    assert.equal(push.headers['content-type'], 'application/json');
    const json = push.json ?? {};
    assert.match(String(json['call-id']), UUID);
    assert.deepEqual(json, {
      platform: 'ios',
      'app-id': 'com.x',
      token: 'bg456',
      'device-id': 'd1',
      silent: 0,
      'call-id': json['call-id'],
      event: 'message',
      from: `alice@${DOMAIN}`,
      'from-display-name': null,
      'media-type': 'sms',
      to: `bob@${DOMAIN}`,
      badge: 1,
      'content-type': 'text/plain',
      content: 'yo',
    });
  });

  test('sylk spec §9 test 45: the gateway answers 410 for the token, and exactly that device’s token is removed', async () => {
    const dave = `dave@${DOMAIN}`;
    const first = await deviceWithToken('dave', {
      token: 'gone-1',
      platform: 'android',
      device: 'd1',
      silent: false,
      app: 'com.x',
    });
    await deviceWithToken('dave', {
      token: 'fine-2',
      platform: 'android',
      device: 'd2',
      silent: false,
      app: 'com.x',
    });
    first.close();
    assert.equal(await sendText('dave', 'hello'), 200);
    await waitFor(() => standIn.for('gone-1').length > 0 && standIn.for('fine-2').length > 0, 'both pushes');
    const store = await openStore(missive.storeUri);
    try {
      const left = await waitFor(async () => {
        const tokens = await store.pushTokens.list(dave);
        return tokens.length === 1 && tokens;
      }, 'the gone token removed');
      assert.deepEqual(
        left.map((token) => [token.deviceId, token.token]),
        [['d2', 'fine-2']],
      );
    } finally {
      await store.close();
    }
  });

  test('a gateway that answers 500 for ever: messages keep flowing with their 200s, pushes are retried', async () => {
    await deviceWithToken('carol', {
      token: 'down-1',
      platform: 'android',
      device: 'd1',
      silent: false,
      app: 'com.x',
    });
    for (let i = 0; i < 5; i++) assert.equal(await sendText('carol', `message ${String(i)}`), 200);
    // The positive sign that the pushes went on without the messages: retries of them keep arriving.
    await waitFor(() => standIn.for('down-1').length > 5, 'retried pushes at the stand-in', {
      timeoutMs: 15_000,
    });
    assert.equal(await sendText('carol', 'still flowing'), 200);
  });
});
