/**
 * Messaging over the sylkRTC WebSocket API of a real `missive serve`, on the real messaging service: two
 * WebSocket devices of alice and one of bob (issue 12). alice's account-message reaches bob as a `message`
 * event, alice's sending device learns it was accepted (sylk spec §1.5.4), her other device gets the sync
 * copy (sylk spec §1.5.3) and bob's journal holds it for account-sync-conversations (sylk spec §1.4.8); bob marking the
 * conversation read and removing a message reach his journal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;

describe('missive serve: messaging over the sylkRTC WebSocket API', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let url: string;

  /** A device of `account`, registered (its HA1 checked) and so subscribed to the account's events. */
  const device = async (account: string): Promise<WebSocketClient> => {
    const client = peers.add(await WebSocketClient.ready(url));
    await client.register(account, PASSWORD);
    return client;
  };

  before(async () => {
    const users = ['alice', 'bob'].map((user) => [user, PASSWORD] as const);
    const missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
  });
  after(() => peers.run());

  test('a message from one device reaches the recipient, the sender learns it was accepted, her other device gets the copy, and it is in the journal', async () => {
    const alicePhone = await device(ALICE);
    const aliceLaptop = await device(ALICE);
    const bob = await device(BOB);
    const sent = await alicePhone.request({
      sylkrtc: 'account-message',
      account: ALICE,
      uri: BOB,
      message_id: 'ws-msg-1',
      content: 'hello bob',
      content_type: 'text/plain',
      timestamp: '2026-12-07T10:00:00.000Z',
    });
    assert.equal(sent.sylkrtc, 'ack', JSON.stringify(sent));

    const received = await bob.received('the message at bob', (f) => f.event === 'message');
    assert.equal(received.account, BOB);
    assert.deepEqual(received.sender, { uri: ALICE, display_name: null });
    assert.equal(received.message_id, 'ws-msg-1');
    assert.equal(received.content, 'hello bob');
    assert.equal(received.content_type, 'text/plain');

    const accepted = await alicePhone.received(
      'the delivery report',
      (f) => f.event === 'disposition-notification',
    );
    assert.equal(accepted.message_id, 'ws-msg-1');
    assert.equal(accepted.state, 'accepted');

    const copy = await aliceLaptop.received(
      'the sync copy',
      (f) => f.event === 'sync' && f.type === 'message',
    );
    assert.equal(copy.action, 'add');
    const content = copy.content as Json;
    assert.equal(content.message_id, 'ws-msg-1');
    assert.equal(content.uri, BOB);
    assert.equal(content.content, 'hello bob');
    // The sending device is not sent its own copy: the laptop's sync arrived, the phone has none.
    assert.equal(alicePhone.frames.filter((f) => f.event === 'sync').length, 0);

    assert.equal(
      (await bob.request({ sylkrtc: 'account-sync-conversations', account: BOB, message_id: null })).sylkrtc,
      'ack',
    );
    const synced = await bob.received('bob’s sync-conversations', (f) => f.event === 'sync-conversations');
    const messages = synced.messages as Json[];
    const stored = messages.find((m) => m.message_id === 'ws-msg-1');
    assert.ok(stored !== undefined, JSON.stringify(messages));
    assert.equal(stored.contact, ALICE);
    assert.equal(stored.direction, 'incoming');
    assert.equal(stored.content, 'hello bob');
  });

  test('marking the conversation read and removing the message change bob’s journal', async () => {
    const bob = await device(BOB);
    const read = await bob.request({
      sylkrtc: 'account-mark-conversation-read',
      account: BOB,
      contact: ALICE,
    });
    assert.equal(read.sylkrtc, 'ack', JSON.stringify(read));
    const removed = await bob.request({
      sylkrtc: 'account-remove-message',
      account: BOB,
      message_id: 'ws-msg-1',
      contact: ALICE,
    });
    assert.equal(removed.sylkrtc, 'ack', JSON.stringify(removed));
    assert.equal(
      (await bob.request({ sylkrtc: 'account-sync-conversations', account: BOB, message_id: null })).sylkrtc,
      'ack',
    );
    const synced = await bob.received('bob’s sync-conversations', (f) => f.event === 'sync-conversations');
    const messages = synced.messages as Json[];
    assert.equal(messages.filter((m) => m.message_id === 'ws-msg-1').length, 0, JSON.stringify(messages));
    assert.ok(messages.some((m) => m.content_type === 'application/sylk-conversation-read'));
    assert.ok(messages.some((m) => m.content_type === 'application/sylk-message-remove'));
  });
});
