/** MessagingEvents: fan-out to subscribers, unsubscribe, a throwing listener isolated and reported. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MessagingEvent, MessagingEvents } from '../../src/messaging/events.js';

const event: MessagingEvent = {
  kind: 'sync',
  account: 'alice@example.test',
  payload: {
    sylkrtc: 'account-event',
    account: 'alice@example.test',
    event: 'sync',
    type: 'conversation',
    action: 'read',
    content: { contact: 'bob@example.test' },
  },
};

describe('MessagingEvents', () => {
  it('delivers to every listener; one that throws does not stop the others and is reported', () => {
    const errors: unknown[] = [];
    const events = new MessagingEvents((error) => errors.push(error));
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('listener broke');
    });
    const unsubscribe = events.subscribe((e) => seen.push(e.kind));
    events.emit(event);
    assert.deepEqual(seen, ['sync']);
    assert.equal(errors.length, 1);
    unsubscribe();
    events.emit(event);
    assert.deepEqual(seen, ['sync']);
  });
});
