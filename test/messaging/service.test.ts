/**
 * The messaging service driven directly, as the WebSocket adapter will call it, inside a real SipService over
 * a real SQLite store, with real SIP devices (UDP agents) registered where SIP is involved: a WebSocket
 * device's message reaches the recipient's SIP device and both journals, its other devices (not itself) get
 * the sync copy, and the SIP outcome comes back as a disposition-notification; dispositions, the journal
 * operations, sync, key look-up and push tokens; events per account, never to the device that caused them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessagingEvent } from '../../src/messaging/events.js';
import { authenticatedAccount, type Caller } from '../../src/messaging/service.js';
import type { Agent } from '../support/sip-agent.js';
import { sqliteBackend } from '../store/backends.js';
import type { ConformanceBackend } from '../store/backends.js';
import { type AppFixture, ANSWER_MS, answerMessages, DOMAIN, ownMessage, startApp } from './app-fixture.js';

const A = `alice@${DOMAIN}`;
const B = `bob@${DOMAIN}`;

const alicePhone: Caller = { account: authenticatedAccount(A), device: { id: 'alice-phone' } };
const bobPhone: Caller = { account: authenticatedAccount(B), device: { id: 'bob-phone' } };

/** A WebSocket device's view: the events its subscription got, and a way to wait for the next of a kind. */
class Device {
  readonly events: MessagingEvent[] = [];
  readonly #waiters: { kind: string; resolve: (event: MessagingEvent) => void }[] = [];

  constructor(app: AppFixture, caller: Caller) {
    app.service.subscribe(caller.account, caller.device, (event) => {
      this.#take(event);
    });
  }

  #take(event: MessagingEvent): void {
    {
      this.events.push(event);
      const index = this.#waiters.findIndex((waiter) => waiter.kind === event.kind);
      const [waiter] = index < 0 ? [] : this.#waiters.splice(index, 1);
      waiter?.resolve(event);
    }
  }

  /** The first event of this kind not yet taken, waiting for it if need be. */
  next(kind: MessagingEvent['kind']): Promise<MessagingEvent> {
    const index = this.events.findIndex((event) => event.kind === kind);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0] as MessagingEvent);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no ${kind} event`));
      }, ANSWER_MS);
      this.#waiters.push({
        kind,
        resolve: (event) => {
          clearTimeout(timer);
          this.events.splice(this.events.indexOf(event), 1);
          resolve(event);
        },
      });
    });
  }
}

function payloadOf(event: MessagingEvent): Record<string, unknown> {
  assert.ok(event.kind !== 'push');
  return event.payload as unknown as Record<string, unknown>;
}

async function sipDevice(app: AppFixture, user: string): Promise<Agent> {
  const agent = await app.agent(user);
  answerMessages(agent);
  assert.equal((await agent.register()).status, 200);
  return agent;
}

function message(id: string, to = B, content = 'hello') {
  return {
    to,
    messageId: id,
    contentType: 'text/plain',
    content,
    timestamp: '2026-05-01T10:00:00.000Z',
    original: { sylkrtc: 'account-message', transaction: `t-${id}` },
  };
}

describe('the messaging service, standalone', { timeout: 120_000 }, () => {
  let backend: ConformanceBackend;
  let app: AppFixture;
  before(async () => {
    backend = await sqliteBackend();
    app = await startApp(backend, 'standalone');
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  it("sends a device's message to the recipient's SIP device and both journals, syncs the others, reports", async () => {
    const bobSip = await sipDevice(app, 'bob');
    const aliceSip = await sipDevice(app, 'alice');
    const phone = new Device(app, alicePhone);
    const laptop = new Device(app, { account: alicePhone.account, device: { id: 'alice-laptop' } });
    const bobWeb = new Device(app, bobPhone);
    const sent = await app.service.sendMessage(alicePhone, message('ws-1'));
    assert.deepEqual(sent, { ok: true, value: undefined });
    // The recipient's SIP device gets the CPIM MESSAGE of sylk spec §2.7 row A.
    const wire = await ownMessage(bobSip, 'message/cpim');
    const body = wire.body.toString('utf8');
    assert.match(body, /imdn\.Message-ID: ws-1/);
    assert.match(body, /imdn\.Disposition-Notification: positive-delivery, display/);
    assert.match(body, /\n\nhello$/);
    // The sender's SIP device gets the replica.
    const replica = await ownMessage(aliceSip, 'message/cpim');
    assert.equal(replica.headers.get('X-Replicated-Message'), 'yes');
    // The recipient's WebSocket device gets the message event.
    const incoming = payloadOf(await bobWeb.next('message'));
    assert.equal(incoming['message_id'], 'ws-1');
    assert.deepEqual(incoming['sender'], { uri: A, display_name: null });
    // The sender's other device gets the sync copy with the request's transaction; the sender does not.
    const sync = payloadOf(await laptop.next('sync'));
    assert.equal(sync['action'], 'add');
    assert.equal((sync['content'] as Record<string, unknown>)['transaction'], 't-ws-1');
    // Both of the sender's devices get the outcome (sylk spec §1.4.6 step 6).
    for (const device of [phone, laptop]) {
      const report = payloadOf(await device.next('disposition-notification'));
      assert.equal(report['state'], 'accepted');
      assert.equal(report['code'], 200);
      assert.equal(report['message_id'], 'ws-1');
    }
    assert.equal(phone.events.filter((event) => event.kind === 'sync').length, 0);
    const own = await app.store.journal.get(A, 'ws-1');
    assert.equal(own?.direction, 'outgoing');
    assert.equal(own.state, 'accepted');
    const theirs = await app.store.journal.get(B, 'ws-1');
    assert.equal(theirs?.direction, 'incoming');
    assert.equal(theirs.content, 'hello');
  });

  it('reports failed with the SIP outcome when the message reaches no one', async () => {
    const phone = new Device(app, alicePhone);
    const sent = await app.service.sendMessage(alicePhone, message('ws-nobody', `nobody@${DOMAIN}`));
    assert.equal(sent.ok, true);
    const report = payloadOf(await phone.next('disposition-notification'));
    assert.equal(report['state'], 'failed');
    assert.equal(report['code'], 480);
    assert.equal((await app.store.journal.get(A, 'ws-nobody'))?.state, 'failed');
  });

  it('refuses what the SIP side refuses: too large, bad timestamp, bad recipient; nothing stored', async () => {
    const big = await app.service.sendMessage(alicePhone, message('ws-big', B, 'x'.repeat(70 * 1024)));
    assert.equal(big.ok ? undefined : big.refusal.kind, 'too-large');
    const badTime = await app.service.sendMessage(alicePhone, {
      ...message('ws-time'),
      timestamp: 'yesterday',
    });
    assert.equal(badTime.ok ? undefined : badTime.refusal.kind, 'invalid');
    const badTo = await app.service.sendMessage(alicePhone, message('ws-to', 'not an address@'));
    assert.equal(badTo.ok ? undefined : badTo.refusal.kind, 'invalid');
    for (const id of ['ws-big', 'ws-time', 'ws-to'])
      assert.equal(await app.store.journal.get(A, id), undefined);
  });

  it('a disposition moves both copies and tells the original sender, not the reporting device', async () => {
    assert.equal((await app.service.sendMessage(alicePhone, message('ws-read'))).ok, true);
    const alice = new Device(app, alicePhone);
    const bob = new Device(app, bobPhone);
    const sent = await app.service.sendDisposition(bobPhone, {
      to: A,
      messageId: 'ws-read',
      messageTimestamp: '2026-05-01T10:00:00.000Z',
      state: 'displayed',
    });
    assert.deepEqual(sent, { ok: true, value: undefined });
    const report = payloadOf(await alice.next('disposition-notification'));
    assert.equal(report['state'], 'displayed');
    assert.equal((await app.store.journal.get(A, 'ws-read'))?.state, 'displayed');
    assert.deepEqual((await app.store.journal.get(B, 'ws-read'))?.disposition, []);
    assert.equal(bob.events.length, 0);
  });

  it('marks read, removes a message and a conversation: other devices synced, SIP devices told', async () => {
    const aliceSip = await sipDevice(app, 'alice');
    assert.equal((await app.service.sendMessage(alicePhone, message('ws-gone'))).ok, true);
    const laptop = new Device(app, { account: alicePhone.account, device: { id: 'alice-laptop-2' } });
    const phone = new Device(app, alicePhone);
    assert.equal((await app.service.markConversationRead(alicePhone, B)).ok, true);
    assert.deepEqual(payloadOf(await laptop.next('sync'))['content'], { contact: B });
    await ownMessage(aliceSip, 'application/sylk-conversation-read');
    assert.equal((await app.service.removeMessage(alicePhone, B, 'ws-gone')).ok, true);
    assert.equal(payloadOf(await laptop.next('sync'))['action'], 'remove');
    assert.equal(await app.store.journal.get(A, 'ws-gone'), undefined);
    assert.equal(await app.store.journal.get(B, 'ws-gone'), undefined);
    assert.equal((await app.service.removeConversation(alicePhone, B)).ok, true);
    const removed = payloadOf(await laptop.next('sync'));
    assert.equal(removed['type'], 'conversation');
    assert.equal(removed['action'], 'remove');
    await ownMessage(aliceSip, 'application/sylk-conversation-remove');
    assert.equal(phone.events.filter((event) => event.kind === 'sync').length, 0);
    const invalid = await app.service.markConversationRead(alicePhone, '');
    assert.equal(invalid.ok ? undefined : invalid.refusal.kind, 'invalid');
  });

  it('syncs the journal after a message id, bounded by the limit', async () => {
    for (const id of ['s-1', 's-2', 's-3'])
      assert.equal((await app.service.sendMessage(alicePhone, message(id))).ok, true);
    const page = await app.service.sync(bobPhone, { messageId: 's-1', limit: 1 });
    assert.ok(page.ok);
    assert.deepEqual(
      page.value.messages.map((m) => [m.message_id, m.direction, m.contact]),
      [['s-2', 'incoming', A]],
    );
    assert.equal(page.value.hasMore, true);
    const bad = await app.service.sync(bobPhone, { since: 'not a time' });
    assert.equal(bad.ok ? undefined : bad.refusal.kind, 'invalid');
  });

  it('looks keys up, registers and removes push tokens (an iOS token split)', async () => {
    assert.deepEqual(await app.service.lookUpPublicKey(`sip:${B}`), { ok: true, value: undefined });
    await app.store.publicKeys.set(B, 'ARMORED', Date.now());
    assert.deepEqual(await app.service.lookUpPublicKey(B), { ok: true, value: 'ARMORED' });
    const registered = await app.service.registerPushToken(alicePhone, {
      appId: 'com.agprojects.sylk-ios',
      deviceId: 'd1',
      platform: 'ios',
      token: 'voip-background',
      silent: true,
    });
    assert.equal(registered.ok, true);
    const [token] = await app.store.pushTokens.list(A);
    assert.equal(token?.token, 'voip');
    assert.equal(token.backgroundToken, 'background');
    assert.equal((await app.service.removePushToken(alicePhone, 'com.agprojects.sylk-ios', 'd1')).ok, true);
    assert.deepEqual(await app.store.pushTokens.list(A), []);
  });
});

describe('the messaging service, behind a proxy', { timeout: 60_000 }, () => {
  it('sends through the outbound proxy, keeps the pending copy, and reports its answer', async () => {
    const backend = await sqliteBackend();
    const app = await startApp(backend, 'behind-proxy');
    try {
      const phone = new Device(app, alicePhone);
      assert.equal((await app.service.sendMessage(alicePhone, message('bp-1'))).ok, true);
      const proxy = app.proxy;
      assert.ok(proxy !== undefined);
      const wire = await ownMessage(proxy, 'message/cpim');
      assert.equal(wire.uri.toString(), `sip:${B}`);
      const report = payloadOf(await phone.next('disposition-notification'));
      assert.equal(report['state'], 'accepted');
      assert.equal((await app.store.journal.get(A, 'bp-1'))?.state, 'accepted');
      // Behind a proxy the recipient's copy comes back through the proxy (X-Sylk-App), not from here.
      assert.equal(await app.store.journal.get(B, 'bp-1'), undefined);
    } finally {
      await app.close();
      await backend.close();
    }
  });
});
