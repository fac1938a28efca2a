/**
 * The journal requests of the sylkRTC API on a real `missive serve` with the real messaging service (sylk
 * spec §1.4.9–1.4.12, §1.4.4, §9 tests 36–42 and 46): mark read, remove a message (and unsend it at the
 * recipient, only when the caller sent it), remove a conversation, public keys, a device token removed by
 * account-unregister. alice has two WebSocket devices and a SIP device; what the service tells her other
 * devices arrives as `sync` events and, for the SIP device, as the MESSAGEs of sylk spec §2.7 row C.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKey } from 'openpgp';
import type { SipRequest } from '../../src/sip/message/message.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { ha1, type Json, WebSocketClient } from '../support/websocket-client.js';
import { Cleanup } from './harness/cleanup.js';
import { Agent } from '../support/sip-agent.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const CAROL = `carol@${DOMAIN}`;
const TIMESTAMP = '2026-12-07T10:00:00.000Z';

describe('missive serve: the sylkRTC journal requests on the real messaging service', {
  timeout: 180_000,
}, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let url: string;
  let phone: WebSocketClient;
  let laptop: WebSocketClient;
  let aliceSip: Agent;
  let bob: WebSocketClient;
  let carol: WebSocketClient;

  const device = async (account: string): Promise<WebSocketClient> => {
    const client = peers.add(await WebSocketClient.ready(url));
    await client.register(account, PASSWORD);
    return client;
  };
  const send = async (
    from: WebSocketClient,
    account: string,
    to: string,
    id: string,
    type = 'text/plain',
    content = `text of ${id}`,
  ): Promise<void> => {
    const reply = await from.request({
      sylkrtc: 'account-message',
      account,
      uri: to,
      message_id: id,
      content,
      content_type: type,
      timestamp: TIMESTAMP,
    });
    assert.equal(reply.sylkrtc, 'ack', JSON.stringify(reply));
  };
  const journal = async (client: WebSocketClient, account: string): Promise<Json[]> =>
    (await client.sync(account)).messages as Json[];
  const sipMessage = (what: string, type: string, from = 0): Promise<SipRequest> =>
    waitFor(() => aliceSip.received.slice(from).find((r) => r.headers.get('Content-Type') === type), what, {
      timeoutMs: 15_000,
    });
  const withStore = async <T>(use: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore(missive.storeUri);
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };

  before(async () => {
    const users = ['alice', 'bob', 'carol', 'dave'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(await MissiveProcess.start({ domain: DOMAIN, users }));
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    phone = await device(ALICE);
    laptop = await device(ALICE);
    bob = await device(BOB);
    carol = await device(CAROL);
    aliceSip = peers.add(
      await Agent.device('alice', PASSWORD, { host: LOOPBACK, port: missive.ports.sip }, DOMAIN),
    );
    assert.equal((await aliceSip.register()).status, 200);
  });
  after(() => peers.run());

  test('mark read: the conversation’s entries read, a read entry, sync to the other device, the MESSAGE to the SIP device (sylk spec §9 test 36)', async () => {
    await send(bob, BOB, ALICE, 'to-read');
    await phone.received('the message', (f) => f.event === 'message' && f.message_id === 'to-read');
    const unread = (await journal(phone, ALICE)).find((m) => m.message_id === 'to-read');
    assert.deepEqual(unread?.disposition, ['positive-delivery', 'display']);
    const from = aliceSip.received.length;
    assert.equal(
      (await phone.request({ sylkrtc: 'account-mark-conversation-read', account: ALICE, contact: BOB }))
        .sylkrtc,
      'ack',
    );
    const read = await laptop.received(
      'the read at the laptop',
      (f) => f.event === 'sync' && f.type === 'conversation' && f.action === 'read',
    );
    assert.deepEqual(read.content, { contact: BOB });
    const atSip = await sipMessage('the read at the SIP device', 'application/sylk-conversation-read', from);
    assert.deepEqual(JSON.parse(atSip.body.toString('utf8')), { contact: BOB });
    assert.match(atSip.headers.get('From') ?? '', new RegExp(`sip:${BOB}`));
    assert.equal(atSip.headers.get('X-Sylk-To-Sip'), 'yes');
    const entries = await journal(laptop, ALICE);
    for (const entry of entries.filter((m) => m.contact === BOB && m.content_type === 'text/plain'))
      assert.deepEqual(entry.disposition, [], String(entry.message_id));
    const record = entries.find((m) => m.content_type === 'application/sylk-conversation-read');
    assert.deepEqual([record?.direction, record?.content, record?.state], ['', BOB, null]);
    assert.equal(await withStore(async (store) => (await store.journal.unread(ALICE)).total), 0);
  });

  test('remove a message: gone from both journals, remove entries, sync at every other device, the MESSAGE to the SIP device (sylk spec §9 test 37)', async () => {
    await send(phone, ALICE, BOB, 'unsend-me');
    await bob.received('the message at bob', (f) => f.event === 'message' && f.message_id === 'unsend-me');
    const from = aliceSip.received.length;
    assert.equal(
      (
        await phone.request({
          sylkrtc: 'account-remove-message',
          account: ALICE,
          message_id: 'unsend-me',
          contact: BOB,
        })
      ).sylkrtc,
      'ack',
    );
    const removed = await laptop.received(
      'the removal at the laptop',
      (f) => f.event === 'sync' && f.type === 'message' && f.action === 'remove',
    );
    assert.deepEqual(removed.content, { contact: BOB, message_id: 'unsend-me', direction: 'outgoing' });
    const atBob = await bob.received('the unsend at bob', (f) => f.event === 'sync' && f.action === 'remove');
    assert.deepEqual(atBob.content, { contact: ALICE, message_id: 'unsend-me', direction: 'incoming' });
    const atSip = await sipMessage('the removal at the SIP device', 'application/sylk-message-remove', from);
    assert.deepEqual(JSON.parse(atSip.body.toString('utf8')), {
      contact: BOB,
      message_id: 'unsend-me',
      direction: 'outgoing',
    });
    const mine = await journal(phone, ALICE);
    assert.equal(mine.filter((m) => m.message_id === 'unsend-me').length, 0);
    const record = mine.find((m) => m.content_type === 'application/sylk-message-remove');
    assert.deepEqual(JSON.parse(String(record?.content)), {
      contact: BOB,
      message_id: 'unsend-me',
      direction: 'outgoing',
    });
    const theirs = await journal(bob, BOB);
    assert.equal(theirs.filter((m) => m.message_id === 'unsend-me').length, 0);
    const theirRecord = theirs.find((m) => m.content_type === 'application/sylk-message-remove');
    assert.deepEqual(JSON.parse(String(theirRecord?.content)), {
      contact: ALICE,
      message_id: 'unsend-me',
      direction: 'incoming',
    });
  });

  test('a message someone else sent is not unsent at its recipient (sylk spec §9 test 38)', async () => {
    // alice has a message of her own with the same id (to dave), so her removal runs to its end.
    await send(phone, ALICE, `dave@${DOMAIN}`, 'same-id');
    await send(carol, CAROL, BOB, 'same-id');
    await bob.received('carol’s message at bob', (f) => f.event === 'message' && f.message_id === 'same-id');
    assert.equal(
      (
        await phone.request({
          sylkrtc: 'account-remove-message',
          account: ALICE,
          message_id: 'same-id',
          contact: BOB,
        })
      ).sylkrtc,
      'ack',
    );
    // The positive sign that the removal ran: alice's own copy went, and her laptop was told.
    await laptop.received(
      'alice’s removal',
      (f) =>
        f.event === 'sync' &&
        f.action === 'remove' &&
        (f.content as Json | undefined)?.message_id === 'same-id',
    );
    assert.equal((await journal(phone, ALICE)).filter((m) => m.message_id === 'same-id').length, 0);
    const kept = (await journal(bob, BOB)).filter((m) => m.message_id === 'same-id');
    assert.deepEqual(
      kept.map((m) => [m.contact, m.direction]),
      [[CAROL, 'incoming']],
    );
    assert.equal(
      bob.events('sync').filter((f) => (f.content as Json | undefined)?.message_id === 'same-id').length,
      0,
    );
  });

  test('remove a conversation: only the remove entry is left, sync with contact and timestamp (sylk spec §9 test 39)', async () => {
    const from = aliceSip.received.length;
    await send(phone, ALICE, BOB, 'in-conversation');
    assert.equal(
      (await phone.request({ sylkrtc: 'account-remove-conversation', account: ALICE, contact: BOB })).sylkrtc,
      'ack',
    );
    const removed = await laptop.received(
      'the removal at the laptop',
      (f) => f.event === 'sync' && f.type === 'conversation' && f.action === 'remove',
    );
    const content = removed.content as Json;
    assert.equal(content.contact, BOB);
    assert.equal(typeof content.timestamp, 'string');
    const atSip = await sipMessage(
      'the removal at the SIP device',
      'application/sylk-conversation-remove',
      from,
    );
    assert.deepEqual(JSON.parse(atSip.body.toString('utf8')), content);
    assert.match(atSip.headers.get('From') ?? '', new RegExp(`sip:${BOB}`));
    const left = (await journal(phone, ALICE)).filter((m) => m.contact === BOB);
    assert.deepEqual(
      left.map((m) => [m.content_type, m.content]),
      [['application/sylk-conversation-remove', BOB]],
    );
  });

  test('public keys: none is null, on a connection without an account; a sent key is kept, not journaled (sylk spec §9 tests 40, 41)', async () => {
    const bare = peers.add(await WebSocketClient.ready(url));
    assert.equal((await bare.request({ sylkrtc: 'lookup-public-key', uri: `sip:${CAROL}` })).sylkrtc, 'ack');
    assert.deepEqual(await bare.received('the lookup', (f) => f.sylkrtc === 'lookup-public-key-event'), {
      sylkrtc: 'lookup-public-key-event',
      uri: CAROL,
      public_key: null,
    });
    const { publicKey: key } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Alice', email: ALICE }],
      format: 'armored',
    });
    await send(phone, ALICE, BOB, 'key-1', 'text/pgp-public-key', key);
    const before = bare.frames.length;
    assert.equal((await bare.request({ sylkrtc: 'lookup-public-key', uri: ALICE })).sylkrtc, 'ack');
    const found = await bare.received(
      'alice’s key',
      (f) => f.sylkrtc === 'lookup-public-key-event' && f.uri === ALICE,
    );
    assert.equal(found.public_key, key);
    assert.ok(bare.frames.length > before);
    assert.equal(
      (await journal(phone, ALICE)).filter((m) => m.content_type === 'text/pgp-public-key').length,
      0,
    );
  });

  test('account-unregister removes the device token it set (sylk spec §9 test 46)', async () => {
    const device = peers.add(await WebSocketClient.ready(url));
    const token = {
      sylkrtc: 'account-devicetoken',
      account: BOB,
      token: 'voip123-bg456',
      platform: 'ios',
      device: 'd1',
      silent: true,
      app: 'com.x',
    };
    await device.request({
      sylkrtc: 'account-add',
      account: BOB,
      password: ha1(BOB, PASSWORD),
    });
    assert.equal((await device.request(token)).sylkrtc, 'ack');
    assert.equal((await device.request({ sylkrtc: 'account-register', account: BOB })).sylkrtc, 'ack');
    await device.received('registered', (f) => f.state === 'registered');
    const stored = await withStore((store) => store.pushTokens.list(BOB));
    assert.deepEqual(
      stored.map((t) => [t.appId, t.deviceId]),
      [['com.x', 'd1']],
    );
    assert.equal((await device.request({ sylkrtc: 'account-unregister', account: BOB })).sylkrtc, 'ack');
    assert.deepEqual(await withStore((store) => store.pushTokens.list(BOB)), []);
  });
});
