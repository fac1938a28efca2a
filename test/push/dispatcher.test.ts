/**
 * The push dispatcher with the manual clock, a scripted provider and a real SQLite token store: one push per
 * stored device with the right token, content modes, bounded concurrency, a queue limit that drops the
 * oldest, retries with backoff inside their time window, and removal of exactly the token that is gone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import type { MessagePush } from '../../src/messaging/events.js';
import { type PushDispatchSettings, PushDispatcher } from '../../src/push/dispatcher.js';
import type { PushOutcome, PushProvider } from '../../src/push/provider.js';
import { PushProviders } from '../../src/push/provider-registry.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { PushToken } from '../../src/store/push-tokens/push-token-store.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually } from '../support/wait.js';
import { ScriptedProvider } from './scripted-provider.js';

const BOB = 'bob@example.com';
const APP = 'com.example.app';

const SETTINGS: PushDispatchSettings = {
  contentMode: 'full',
  limit: 100,
  concurrency: 4,
  retryWindowMs: 10_000,
};

function push(overrides: Partial<MessagePush> = {}): MessagePush {
  return {
    account: BOB,
    from: 'alice@example.com',
    fromDisplayName: 'Alice',
    to: BOB,
    messageId: 'm1',
    contentType: 'text/plain',
    content: 'yo',
    badge: 1,
    ...overrides,
  };
}

function token(deviceId: string, overrides: Partial<PushToken> = {}): PushToken {
  return {
    account: BOB,
    appId: APP,
    deviceId,
    platform: 'android',
    token: `tok-${deviceId}`,
    silent: false,
    updatedAt: 0,
    ...overrides,
  };
}

describe('push dispatcher', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  const dispatchers: PushDispatcher[] = [];
  const opened: Store[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-push-'));
  });

  beforeEach(async () => {
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
    await Promise.all(opened.splice(0).map((old) => old.close()));
    store = await openStore(
      `sqlite://${join(dir, `store-${String(Date.now())}-${String(Math.random())}.db`)}`,
    );
    opened.push(store);
    clock = new ManualClock(1_000_000);
  });

  after(async () => {
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
    await Promise.all(opened.splice(0).map((old) => old.close()));
    await rm(dir, { recursive: true, force: true });
  });

  function dispatcher(
    provider: PushProvider | undefined,
    settings: Partial<PushDispatchSettings> = {},
    logger?: pino.Logger,
  ): PushDispatcher {
    const made = new PushDispatcher({
      tokens: store.pushTokens,
      providers: new PushProviders(new Map(provider === undefined ? [] : [[APP, provider]])),
      settings: { ...SETTINGS, ...settings },
      clock,
      logger,
      newCallId: () => 'call-1',
      random: () => 0,
    });
    dispatchers.push(made);
    return made;
  }

  it('sends one push per stored device, with the iOS background token and the full content', async () => {
    await store.pushTokens.upsert(
      token('d1', { platform: 'ios', token: 'voip123', backgroundToken: 'bg456' }),
    );
    await store.pushTokens.upsert(token('d2'));
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      () => ({ kind: 'sent' }),
    );
    const pushes = dispatcher(provider);
    pushes.onMessagePush(push());
    await pushes.settled();
    const byDevice = new Map(provider.sent.map((sent) => [sent.delivery.target.deviceId, sent.delivery]));
    assert.equal(provider.sent.length, 2);
    assert.deepEqual(byDevice.get('d1'), {
      target: { account: BOB, appId: APP, deviceId: 'd1', platform: 'ios', token: 'bg456', silent: false },
      notification: {
        kind: 'message',
        callId: 'call-1',
        messageId: 'm1',
        from: 'alice@example.com',
        fromDisplayName: 'Alice',
        to: BOB,
        badge: 1,
        contentType: 'text/plain',
        content: 'yo',
      },
    });
    assert.equal(byDevice.get('d2')?.target.token, 'tok-d2');
    assert.deepEqual(pushes.pushStats().byProvider['sylk-pushserver'], {
      sent: 2,
      failed: 0,
      retried: 0,
      dropped: 0,
      tokensRemoved: 0,
    });
  });

  it('minimal content: sender and badge, no content and no content type', async () => {
    await store.pushTokens.upsert(token('d1'));
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      () => ({ kind: 'sent' }),
    );
    const pushes = dispatcher(provider, { contentMode: 'minimal' });
    pushes.onMessagePush(push({ badge: 3 }));
    await pushes.settled();
    const notification = provider.sent[0]?.delivery.notification;
    assert.ok(notification?.kind === 'message');
    assert.equal(notification.from, 'alice@example.com');
    assert.equal(notification.badge, 3);
    assert.equal('content' in notification, false);
    assert.equal('contentType' in notification, false);
  });

  it('sends at most `concurrency` pushes at once; the others wait for a slot', async () => {
    for (const device of ['d1', 'd2', 'd3', 'd4', 'd5']) await store.pushTokens.upsert(token(device));
    const provider = new ScriptedProvider('sylk-pushserver', () => clock.now());
    const pushes = dispatcher(provider, { concurrency: 2 });
    pushes.onMessagePush(push());
    await eventually(() => provider.sent.length === 2, 'two pushes under way');
    assert.equal(pushes.pushStats().queued, 3);
    assert.equal(pushes.pushStats().inFlight, 2);
    provider.sent[0]?.answer({ kind: 'sent' });
    await eventually(() => provider.sent.length === 3, 'the third push takes the freed slot');
    assert.equal(provider.pending, 2, 'still two at once');
    for (let i = 1; i < 5; i++) {
      await eventually(() => provider.sent.length > i, `push ${String(i + 1)} sent`);
      provider.sent[i]?.answer({ kind: 'sent' });
    }
    await pushes.settled();
    assert.equal(pushes.pushStats().byProvider['sylk-pushserver']?.sent, 5);
  });

  it('a full queue drops its oldest pending push and counts it', async () => {
    for (const device of ['d1', 'd2', 'd3', 'd4']) await store.pushTokens.upsert(token(device));
    const provider = new ScriptedProvider('sylk-pushserver', () => clock.now());
    const pushes = dispatcher(provider, { concurrency: 1, limit: 2 });
    pushes.onMessagePush(push({ messageId: 'm1' }));
    await eventually(
      () => provider.sent.length === 1 && pushes.pushStats().queued === 2,
      'one sent, two queued',
    );
    pushes.onMessagePush(push({ messageId: 'm2' }));
    // m1 leaves 3 waiting (d2, d3, d4 → 2 kept); m2's four each push out the oldest.
    await eventually(() => pushes.pushStats().byProvider['sylk-pushserver']?.dropped === 5, 'five dropped');
    assert.equal(pushes.pushStats().queued, 2);
    provider.sent[0]?.answer({ kind: 'sent' });
    await eventually(() => provider.sent.length === 2, 'next sent');
    provider.sent[1]?.answer({ kind: 'sent' });
    await eventually(() => provider.sent.length === 3, 'last sent');
    provider.sent[2]?.answer({ kind: 'sent' });
    await pushes.settled();
    const kept = provider.sent
      .slice(1)
      .map((sent) => [
        sent.delivery.notification.kind === 'message' ? sent.delivery.notification.messageId : '',
        sent.delivery.target.deviceId,
      ]);
    assert.deepEqual(kept, [
      ['m2', 'd3'],
      ['m2', 'd4'],
    ]);
  });

  it('retries with exponential backoff and gives up once its time window would be passed', async () => {
    await store.pushTokens.upsert(token('d1'));
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      () => ({
        kind: 'retry',
        reason: 'HTTP 503',
      }),
    );
    const pushes = dispatcher(provider, { retryWindowMs: 10_000 });
    const start = clock.now();
    pushes.onMessagePush(push());
    await eventually(() => provider.sent.length === 1, 'first try');
    // random() = 0: each wait is half of min(30 s, 1 s·2^(n-1)): 0.5, 1, 2, 4 s; the next (8 s) would end
    // 15.5 s after the first try, past the 10 s window.
    for (const wait of [500, 1_000, 2_000, 4_000]) {
      const tries = provider.sent.length;
      await eventually(() => clock.pending === 1, 'a retry scheduled');
      clock.advance(wait - 1);
      assert.equal(provider.sent.length, tries, 'not before its time');
      clock.advance(1);
      await eventually(() => provider.sent.length === tries + 1, 'retried on time');
    }
    await pushes.settled();
    assert.deepEqual(
      provider.sent.map((sent) => sent.at - start),
      [0, 500, 1_500, 3_500, 7_500],
    );
    assert.equal(clock.pending, 0, 'no retry left');
    assert.deepEqual(pushes.pushStats().byProvider['sylk-pushserver'], {
      sent: 0,
      failed: 1,
      retried: 4,
      dropped: 0,
      tokensRemoved: 0,
    });
  });

  it('a Retry-After longer than the backoff is honoured', async () => {
    await store.pushTokens.upsert(token('d1'));
    let first = true;
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      (): PushOutcome => {
        if (!first) return { kind: 'sent' };
        first = false;
        return { kind: 'retry', reason: 'HTTP 429', afterMs: 3_000 };
      },
    );
    const pushes = dispatcher(provider);
    pushes.onMessagePush(push());
    await eventually(() => clock.pending === 1, 'a retry scheduled');
    clock.advance(2_999);
    assert.equal(provider.sent.length, 1);
    clock.advance(1);
    await pushes.settled();
    assert.equal(provider.sent.length, 2);
    assert.equal(provider.sent[1]?.at, 1_003_000);
  });

  it('token gone: exactly the token the push went to is removed, the other device keeps its own', async () => {
    await store.pushTokens.upsert(token('d1'));
    await store.pushTokens.upsert(token('d2'));
    await store.pushTokens.upsert(token('d3', { appId: 'com.other.app' }));
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      (delivery) =>
        delivery.target.deviceId === 'd1' ? { kind: 'token-gone', reason: 'HTTP 410' } : { kind: 'sent' },
    );
    const pushes = new PushDispatcher({
      tokens: store.pushTokens,
      providers: new PushProviders(new Map(), provider),
      settings: SETTINGS,
      clock,
    });
    dispatchers.push(pushes);
    pushes.onMessagePush(push());
    await pushes.settled();
    assert.equal(provider.sent.length, 3);
    const left = (await store.pushTokens.list(BOB)).map((kept) => `${kept.appId}/${kept.deviceId}`).sort();
    assert.deepEqual(left, ['com.example.app/d2', 'com.other.app/d3']);
    assert.equal(pushes.pushStats().byProvider['sylk-pushserver']?.tokensRemoved, 1);
  });

  it('token gone for a token the device has replaced since: the new token stays', async () => {
    await store.pushTokens.upsert(token('d1'));
    const provider = new ScriptedProvider('sylk-pushserver', () => clock.now());
    const pushes = dispatcher(provider);
    pushes.onMessagePush(push());
    await eventually(() => provider.sent.length === 1, 'push under way');
    await store.pushTokens.upsert(token('d1', { token: 'tok-new' }));
    provider.sent[0]?.answer({ kind: 'token-gone', reason: 'HTTP 410' });
    await pushes.settled();
    assert.deepEqual(
      (await store.pushTokens.list(BOB)).map((kept) => kept.token),
      ['tok-new'],
    );
    assert.equal(pushes.pushStats().byProvider['sylk-pushserver']?.tokensRemoved, 0);
  });

  it('no provider for the app: nothing sent, counted, and one warning for many messages', async () => {
    await store.pushTokens.upsert(token('d1'));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const pushes = dispatcher(undefined, {}, logger);
    pushes.onMessagePush(push({ messageId: 'm1' }));
    pushes.onMessagePush(push({ messageId: 'm2' }));
    await pushes.settled();
    assert.equal(pushes.pushStats().unrouted, 2);
    assert.equal(lines.filter((line) => line.includes('no push provider')).length, 1);
  });

  it('returns before any token is looked up or any push is sent', () => {
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      () => ({ kind: 'sent' }),
    );
    const pushes = dispatcher(provider);
    pushes.onMessagePush(push());
    assert.equal(provider.sent.length, 0);
  });

  it('a wake push goes through the queue; its token-gone answer removes no stored token', async () => {
    await store.pushTokens.upsert(token('d1'));
    const provider = new ScriptedProvider(
      'sylk-pushserver',
      () => clock.now(),
      () => ({
        kind: 'token-gone',
        reason: 'HTTP 410',
      }),
    );
    const pushes = dispatcher(provider);
    const target = {
      account: BOB,
      appId: APP,
      deviceId: 'd1',
      platform: 'apple',
      token: 'tok-d1',
      silent: false,
    };
    // An INVITE: a MESSAGE's wake would wait for the message push first (message-wake.test.ts).
    const outcome = await pushes.wake(target, {
      kind: 'wake',
      callId: 'c',
      method: 'INVITE',
      from: 'alice@example.com',
      to: BOB,
    });
    assert.equal(outcome.kind, 'token-gone');
    assert.equal(provider.sent.length, 1);
    assert.equal((await store.pushTokens.list(BOB)).length, 1);
    const none = dispatcher(undefined);
    assert.deepEqual(
      await none.wake(target, { kind: 'wake', callId: 'c', method: 'INVITE', from: 'a', to: BOB }),
      {
        kind: 'failed',
        reason: 'no push provider',
      },
    );
  });
});
