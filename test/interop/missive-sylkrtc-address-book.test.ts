/**
 * The address book over the sylkRTC WebSocket API of a real `missive serve` (sylk spec §1.4.13): kept per
 * account in missive's store, a change reaches the account's other devices as `addressbook-updated` (and
 * never another account's), a refused change is an `addressbook-update-failed` event, and the book is still
 * there after missive is killed and started again on the same data directory.
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
const CAROL = { id: 'c1', name: 'Carol', uris: [{ id: 'u1', uri: 'sip:carol@example.test', type: 'sip' }] };

describe('missive serve: the address book over the sylkRTC WebSocket API', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let url: string;

  const device = async (account: string): Promise<WebSocketClient> => {
    const client = peers.add(await WebSocketClient.ready(url));
    await client.register(account, PASSWORD);
    return client;
  };

  const fetched = async (client: WebSocketClient, account: string): Promise<Json> => {
    const before = client.frames.length;
    assert.equal((await client.request({ sylkrtc: 'account-fetch-addressbook', account })).sylkrtc, 'ack');
    const event = client.frames.slice(before).find((f) => f.event === 'addressbook-fetched');
    // The event comes before the ack, so it is there once the ack is.
    assert.ok(event !== undefined, 'addressbook-fetched before the ack');
    return event.addressbook as Json;
  };

  before(async () => {
    const users = ['alice', 'bob'].map((user) => [user, PASSWORD] as const);
    missive = await MissiveProcess.start({ domain: DOMAIN, users });
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
  });
  after(async () => {
    await peers.run();
    await missive.stop();
  });

  test('a change reaches the account’s other device, not another account, and survives a restart', async () => {
    const phone = await device(ALICE);
    const laptop = await device(ALICE);
    const bob = await device(BOB);
    assert.deepEqual(await fetched(phone, ALICE), { contacts: [], groups: [], policies: [] });

    const reply = await phone.request({
      sylkrtc: 'account-update-addressbook',
      account: ALICE,
      action: 'add',
      type: 'contact',
      data: CAROL,
    });
    assert.equal(reply.sylkrtc, 'ack');
    const expected = {
      sylkrtc: 'account-event',
      account: ALICE,
      event: 'addressbook-updated',
      type: 'contact',
      action: 'add',
      contact: CAROL,
    };
    assert.deepEqual(
      phone.frames.find((f) => f.event === 'addressbook-updated'),
      expected,
    );
    assert.deepEqual(
      await laptop.received('the change at the laptop', (f) => f.event === 'addressbook-updated'),
      expected,
    );

    // bob's own change is his alone; that alice's devices never got bob's book is checked by what
    // they received in between (only their own account's change).
    await bob.request({
      sylkrtc: 'account-update-addressbook',
      account: BOB,
      action: 'add',
      type: 'group',
      data: { id: 'g1', name: 'Friends', contacts: [] },
    });
    const second = { ...CAROL, name: 'Carol B.' };
    await phone.request({
      sylkrtc: 'account-update-addressbook',
      account: ALICE,
      action: 'update',
      type: 'contact',
      data: second,
    });
    await laptop.received(
      'the second change',
      (f) => f.event === 'addressbook-updated' && f.action === 'update',
    );
    assert.ok(laptop.frames.every((f) => f.event !== 'addressbook-updated' || f.account === ALICE));
    assert.ok(bob.frames.every((f) => f.event !== 'addressbook-updated' || f.account === BOB));

    const failed = phone.frames.length;
    assert.equal(
      (
        await phone.request({
          sylkrtc: 'account-update-addressbook',
          account: ALICE,
          action: 'update',
          type: 'contact',
          data: { id: 'nobody', name: 'x' },
        })
      ).sylkrtc,
      'ack',
    );
    assert.deepEqual(
      phone.frames.slice(failed).find((f) => f.event === 'addressbook-update-failed'),
      {
        sylkrtc: 'account-event',
        account: ALICE,
        event: 'addressbook-update-failed',
        type: 'contact',
        action: 'update',
        error: 'no contact with id nobody',
        id: 'nobody',
      },
    );

    const dataDir = missive.dataDir;
    await missive.kill();
    missive = await MissiveProcess.start({ domain: DOMAIN, users: [], dataDir });
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    const again = await device(ALICE);
    assert.deepEqual(await fetched(again, ALICE), { contacts: [second], groups: [], policies: [] });
  });
});
