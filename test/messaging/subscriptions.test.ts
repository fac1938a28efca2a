/**
 * AccountSubscriptions: an account's events reach the devices subscribed for that account alone, never the
 * device that caused them; unsubscribe; a throwing listener isolated and logged; push events to the push
 * dispatcher only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { MessagePush, MessagingEvent } from '../../src/messaging/events.js';
import { AccountSubscriptions } from '../../src/messaging/subscriptions.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';

function readEvent(account: string): MessagingEvent {
  return {
    kind: 'sync',
    account,
    payload: {
      sylkrtc: 'account-event',
      account,
      event: 'sync',
      type: 'conversation',
      action: 'read',
      content: { contact: 'carol@example.test' },
    },
  };
}

describe('AccountSubscriptions', () => {
  it("sends an account's events to its devices only, except the one that caused them", () => {
    const subscriptions = new AccountSubscriptions();
    const seen: string[] = [];
    subscriptions.subscribe(ALICE, { id: 'phone' }, (e) => seen.push(`phone:${e.account}`));
    subscriptions.subscribe(ALICE, { id: 'laptop' }, (e) => seen.push(`laptop:${e.account}`));
    subscriptions.subscribe(BOB, { id: 'bob-phone' }, (e) => seen.push(`bob-phone:${e.account}`));
    subscriptions.emit(readEvent(ALICE), { id: 'phone' });
    assert.deepEqual(seen, [`laptop:${ALICE}`]);
    subscriptions.emit(readEvent(BOB));
    assert.deepEqual(seen, [`laptop:${ALICE}`, `bob-phone:${BOB}`]);
  });

  it('stops after unsubscribe and keeps nothing for an account nobody listens to', () => {
    const subscriptions = new AccountSubscriptions();
    const seen: string[] = [];
    const subscription = subscriptions.subscribe(ALICE, { id: 'phone' }, (e) => seen.push(e.kind));
    subscriptions.emit(readEvent(ALICE));
    subscription.unsubscribe();
    subscription.unsubscribe();
    subscriptions.emit(readEvent(ALICE));
    assert.deepEqual(seen, ['sync']);
    assert.equal(subscriptions.subscriberCount(ALICE), 0);
  });

  it('a listener that throws does not stop the others and is logged with its stack', () => {
    const lines: { msg: string; err?: { stack?: string } }[] = [];
    const logger = pino(
      { level: 'error' },
      { write: (line: string) => lines.push(JSON.parse(line) as { msg: string; err?: { stack?: string } }) },
    );
    const subscriptions = new AccountSubscriptions({ logger });
    const seen: string[] = [];
    subscriptions.subscribe(ALICE, { id: 'broken' }, () => {
      throw new Error('listener broke');
    });
    subscriptions.subscribe(ALICE, { id: 'phone' }, (e) => seen.push(e.kind));
    subscriptions.emit(readEvent(ALICE));
    assert.deepEqual(seen, ['sync']);
    assert.equal(lines.length, 1);
    assert.match(lines[0]?.err?.stack ?? '', /listener broke/);
  });

  it('gives push events to the push dispatcher, never to devices', () => {
    const pushes: MessagePush[] = [];
    const subscriptions = new AccountSubscriptions({ onPush: (push) => pushes.push(push) });
    const seen: string[] = [];
    subscriptions.subscribe(ALICE, { id: 'phone' }, (e) => seen.push(e.kind));
    const push: MessagePush = {
      account: ALICE,
      from: BOB,
      fromDisplayName: null,
      to: ALICE,
      messageId: 'm1',
      contentType: 'text/plain',
      content: 'hi',
      badge: 1,
    };
    subscriptions.emit({ kind: 'push', account: ALICE, push });
    subscriptions.emit(readEvent(ALICE));
    assert.deepEqual(pushes, [push]);
    assert.deepEqual(seen, ['sync']);
  });
});
