/**
 * A MESSAGE for a sleeping SIP device whose token is stored gives the device one push, not two: the RFC 8599
 * wake waits for the message push of sylk spec §5.1 to the same token and takes its outcome, so the push the
 * phone gets has the badge. Without a message push within the wait (an IMDN…), the wake sends its own; an
 * INVITE's wake, or one for a device with no stored token, goes at once. The manual clock, a scripted
 * provider and a real SQLite token store.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { MessagePush } from '../../src/messaging/events.js';
import { PushDispatcher } from '../../src/push/dispatcher.js';
import type { PushNotification, PushTarget } from '../../src/push/provider.js';
import { PushProviders } from '../../src/push/provider-registry.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually } from '../support/wait.js';
import { ScriptedProvider } from './scripted-provider.js';

const BOB = 'bob@example.com';
const APP = 'com.example.app';
const WAIT_MS = 5_000;

const TARGET: PushTarget = {
  account: BOB,
  appId: APP,
  deviceId: 'PRID-1',
  platform: 'apple',
  token: 'PRID-1',
  silent: false,
};

function wake(method = 'MESSAGE'): Extract<PushNotification, { kind: 'wake' }> {
  return { kind: 'wake', callId: 'w', method, from: 'alice@example.com', to: BOB };
}

const MESSAGE_PUSH: MessagePush = {
  account: BOB,
  from: 'alice@example.com',
  fromDisplayName: null,
  to: BOB,
  messageId: 'm1',
  contentType: 'text/plain',
  content: 'hello',
  badge: 4,
};

describe('one push for a MESSAGE to a sleeping SIP device', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let provider: ScriptedProvider;
  let pushes: PushDispatcher;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-wake-'));
  });
  beforeEach(async () => {
    store = await openStore(
      `sqlite://${join(dir, `store-${String(Date.now())}-${String(Math.random())}.db`)}`,
    );
    await store.pushTokens.upsert({
      account: BOB,
      appId: APP,
      deviceId: 'PRID-1',
      platform: 'apple',
      token: 'PRID-1',
      silent: false,
      updatedAt: 0,
    });
    clock = new ManualClock(1_000_000);
    provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      () => ({ kind: 'sent' }),
    );
    pushes = new PushDispatcher({
      tokens: store.pushTokens,
      providers: new PushProviders(new Map([[APP, provider]])),
      settings: { contentMode: 'full', limit: 100, concurrency: 4, retryWindowMs: 10_000 },
      clock,
      newCallId: () => 'call-1',
      messageWakeWaitMs: WAIT_MS,
    });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function done(): Promise<void> {
    await pushes.settled();
    await pushes.close();
    await store.close();
  }

  it('the wake takes the message push: one push, with the badge and the text', async () => {
    const woken = pushes.wake(TARGET, wake());
    pushes.onMessagePush(MESSAGE_PUSH);
    assert.deepEqual(await woken, { kind: 'sent' });
    await pushes.settled();
    assert.equal(provider.sent.length, 1);
    const notification = provider.sent[0]?.delivery.notification;
    assert.ok(notification?.kind === 'message');
    assert.equal(notification.badge, 4);
    assert.equal(notification.content, 'hello');
    assert.equal(provider.sent[0]?.delivery.target.token, 'PRID-1');
    await done();
  });

  it('a message push that came first serves the wake that follows', async () => {
    pushes.onMessagePush(MESSAGE_PUSH);
    await eventually(() => provider.sent.length === 1, 'the message push');
    assert.deepEqual(await pushes.wake(TARGET, wake()), { kind: 'sent' });
    assert.equal(provider.sent.length, 1);
    await done();
  });

  it('no message push within the wait (an IMDN): the wake sends its own push', async () => {
    const woken = pushes.wake(TARGET, wake());
    // The positive sign that the wake is waiting: its timer is scheduled on the manual clock.
    await eventually(() => clock.pending > 0, 'the wake waiting for a message push');
    assert.equal(provider.sent.length, 0);
    clock.advance(WAIT_MS);
    assert.deepEqual(await woken, { kind: 'sent' });
    assert.equal(provider.sent.length, 1);
    assert.equal(provider.sent[0]?.delivery.notification.kind, 'wake');
    await done();
  });

  it('an INVITE, or a device with no stored token, is woken at once', async () => {
    assert.deepEqual(await pushes.wake(TARGET, wake('INVITE')), { kind: 'sent' });
    const other = { ...TARGET, deviceId: 'PRID-2', token: 'PRID-2' };
    assert.deepEqual(await pushes.wake(other, wake()), { kind: 'sent' });
    assert.deepEqual(
      provider.sent.map((sent) => [sent.delivery.notification.kind, sent.delivery.target.token]),
      [
        ['wake', 'PRID-1'],
        ['wake', 'PRID-2'],
      ],
    );
    await done();
  });
});
