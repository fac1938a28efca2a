/**
 * The disposition of the final SIP answer to an account-message (sylk spec §1.4.6 step 6, §1.5.4), behind a
 * proxy: missive sends the MESSAGE through its outbound proxy, here a UDP peer standing in for the proxy and
 * the recipient's device behind it, which answers 200 for bob and 486 for carol. The sender's WebSocket
 * devices get `accepted` with 200 and `failed` with 486, and the sender's journal says the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SipRequest } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { freePorts, LOOPBACK } from '../support/ports.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';
import { Agent } from '../support/sip-agent.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const PROXY_HOST = '127.0.0.41';

describe('missive serve behind a proxy: the final answer to a sent message becomes its disposition', {
  timeout: 120_000,
}, () => {
  const peers = new Cleanup();
  let proxy: Agent;
  let phone: WebSocketClient;
  let laptop: WebSocketClient;

  before(async () => {
    const users = ['alice', 'bob', 'carol'].map((user) => [user, PASSWORD] as const);
    // missive's SIP port chosen first, so that the proxy's socket exists before missive is told its address.
    const [sip = 0] = await freePorts(1);
    proxy = peers.add(await Agent.overUdp('proxy', '', { host: LOOPBACK, port: sip }, DOMAIN, PROXY_HOST));
    const missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users,
        ports: { sip },
        trustedPeers: [PROXY_HOST],
        args: ['--outbound-proxy', `sip:${PROXY_HOST}:${String(proxy.port)}`],
      }),
    );
    // account-register checks the HA1 by registering upstream (sylk spec §1.7.1): the stand-in accepts it.
    proxy.answering('REGISTER');
    const url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    phone = peers.add(await WebSocketClient.ready(url));
    await phone.register(ALICE, PASSWORD);
    laptop = peers.add(await WebSocketClient.ready(url));
    await laptop.register(ALICE, PASSWORD);
  });
  after(() => peers.run());

  const send = async (to: string, messageId: string): Promise<SipRequest> => {
    const from = proxy.messages.length;
    const reply = await phone.request({
      sylkrtc: 'account-message',
      account: ALICE,
      uri: to,
      message_id: messageId,
      content: 'hello',
      content_type: 'text/plain',
      timestamp: '2026-12-07T10:05:00.000Z',
    });
    assert.equal(reply.sylkrtc, 'ack', JSON.stringify(reply));
    const message = await proxy.waitFor(
      (m) => m.kind === 'request' && m.method === 'MESSAGE' && m.body.toString('utf8').includes(messageId),
      `the MESSAGE ${messageId} at the proxy`,
      from,
      15_000,
    );
    return message as SipRequest;
  };

  const disposition = (client: WebSocketClient, messageId: string): Promise<Json> =>
    client.received(
      `the disposition of ${messageId}`,
      (f) => f.event === 'disposition-notification' && f.message_id === messageId,
    );

  test('200 from the recipient’s side: accepted with 200 OK at both of the sender’s devices', async () => {
    const message = await send(`bob@${DOMAIN}`, 'to-bob');
    assert.match(message.uri.toString(), /^sip:bob@example\.test/);
    await proxy.answer(message, 200, 'bob');
    for (const client of [phone, laptop]) {
      const event = await disposition(client, 'to-bob');
      assert.deepEqual([event.state, event.code, event.reason], ['accepted', 200, 'OK']);
      assert.equal(event.message_timestamp, '2026-12-07T10:05:00+00:00');
    }
  });

  test('an error from the recipient’s side: failed with its code at both of the sender’s devices, and in the journal', async () => {
    const message = await send(`carol@${DOMAIN}`, 'to-carol');
    await proxy.answer(message, 486, 'carol');
    for (const client of [phone, laptop]) {
      const event = await disposition(client, 'to-carol');
      assert.deepEqual([event.state, event.code], ['failed', 486]);
    }
    const journal = (await phone.sync(ALICE)).messages as Json[];
    const states = new Map(journal.map((m) => [m.message_id, m.state]));
    assert.equal(states.get('to-bob'), 'accepted', JSON.stringify(journal));
    assert.equal(states.get('to-carol'), 'failed', JSON.stringify(journal));
  });
});
