/**
 * Account events between instances (messaging/remote-event.ts, subscriptions.ts' fan-out): what one instance
 * encodes another reads back unchanged; anything else is dropped without a throw; AccountSubscriptions hands
 * its devices' events (not push events) to the fan-out, even when the origin device is local, and an event
 * from elsewhere reaches the local devices without going out again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { MessagingEvent } from '../../src/messaging/events.js';
import {
  type DeviceEvent,
  decodeRemoteEvent,
  encodeRemoteEvent,
  MAX_REMOTE_EVENT_CHARS,
} from '../../src/messaging/remote-event.js';
import { AccountSubscriptions } from '../../src/messaging/subscriptions.js';

const ALICE = 'alice@example.test';

const account = fc.emailAddress();
const deviceEvent: fc.Arbitrary<DeviceEvent> = fc.oneof(
  account.chain((who) =>
    fc.emailAddress().map(
      (contact): DeviceEvent => ({
        kind: 'sync',
        account: who,
        payload: {
          sylkrtc: 'account-event',
          account: who,
          event: 'sync',
          type: 'conversation',
          action: 'read',
          content: { contact },
        },
      }),
    ),
  ),
  fc.tuple(account, fc.string(), fc.string({ unit: 'grapheme' }), fc.string()).map(
    ([who, id, content, type]): DeviceEvent => ({
      kind: 'message',
      account: who,
      payload: {
        sylkrtc: 'account-event',
        account: who,
        event: 'message',
        sender: { uri: 'bob@example.test', display_name: null },
        timestamp: '2026-12-07T10:00:00.000Z',
        disposition_notification: null,
        message_id: id,
        content_type: type,
        content,
      },
    }),
  ),
  fc.tuple(account, fc.string(), fc.integer()).map(
    ([who, id, code]): DeviceEvent => ({
      kind: 'disposition-notification',
      account: who,
      payload: {
        sylkrtc: 'account-event',
        account: who,
        event: 'disposition-notification',
        message_id: id,
        message_timestamp: '2026-12-07T10:00:00.000Z',
        state: 'delivered',
        code,
        reason: 'OK',
      },
    }),
  ),
);

function readEvent(who: string): DeviceEvent {
  return {
    kind: 'sync',
    account: who,
    payload: {
      sylkrtc: 'account-event',
      account: who,
      event: 'sync',
      type: 'conversation',
      action: 'read',
      content: { contact: 'carol@example.test' },
    },
  };
}

describe('remote events', () => {
  it('reads back what it encodes, unchanged', () => {
    fc.assert(
      fc.property(deviceEvent, (event) => {
        assert.deepEqual(decodeRemoteEvent(encodeRemoteEvent(event)), event);
      }),
    );
  });

  it('never throws, and drops what it did not write', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const event = decodeRemoteEvent(text);
        if (event !== undefined) assert.equal(event.payload.account, event.account);
      }),
    );
    const good = JSON.parse(encodeRemoteEvent(readEvent(ALICE))) as Record<string, unknown>;
    const payload = good.payload as Record<string, unknown>;
    for (const bad of [
      { ...good, kind: 'push' },
      { ...good, account: 'mallory@example.test' },
      { ...good, payload: { ...payload, sylkrtc: 'account-message' } },
      { ...good, payload: { ...payload, event: 'message' } },
      { ...good, payload: [payload] },
      [good],
    ])
      assert.equal(decodeRemoteEvent(JSON.stringify(bad)), undefined, JSON.stringify(bad));
    assert.equal(decodeRemoteEvent('x'.repeat(MAX_REMOTE_EVENT_CHARS + 1)), undefined);
  });
});

describe('AccountSubscriptions with a fan-out to other instances', () => {
  it("publishes its devices' events, origin or not, and never a push event", () => {
    const published: DeviceEvent[] = [];
    const subscriptions = new AccountSubscriptions({ fanout: { publish: (event) => published.push(event) } });
    subscriptions.emit(readEvent(ALICE), { id: 'phone' });
    subscriptions.emit(readEvent(ALICE));
    const push: MessagingEvent = {
      kind: 'push',
      account: ALICE,
      push: {
        account: ALICE,
        from: 'bob@example.test',
        fromDisplayName: null,
        to: ALICE,
        messageId: 'm1',
        contentType: 'text/plain',
        content: 'hi',
        badge: 1,
      },
    };
    subscriptions.emit(push);
    assert.deepEqual(published, [readEvent(ALICE), readEvent(ALICE)]);
  });

  it('delivers an event from elsewhere to every local device of the account, without publishing it again', () => {
    const published: DeviceEvent[] = [];
    const subscriptions = new AccountSubscriptions({ fanout: { publish: (event) => published.push(event) } });
    const seen: string[] = [];
    subscriptions.subscribe(ALICE, { id: 'phone' }, () => seen.push('phone'));
    subscriptions.subscribe(ALICE, { id: 'laptop' }, () => seen.push('laptop'));
    subscriptions.emitFromElsewhere(readEvent(ALICE));
    assert.deepEqual(seen, ['phone', 'laptop']);
    assert.deepEqual(published, []);
  });
});
