/** Journal entries for tests: an incoming message by default, with any field overridden. */
import type { NewEntry } from '../../src/store/index.js';

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';
export const CAROL = 'carol@example.com';
export const T0 = 1_700_000_000_000;

/** What Bob's message to Alice looks like in Alice's journal (sylk spec §2.5.2). */
export function incoming(messageId: string, overrides: Partial<NewEntry> = {}): NewEntry {
  return {
    messageId,
    contact: BOB,
    direction: 'incoming',
    contentType: 'text/plain',
    content: `hello ${messageId}`,
    disposition: ['positive-delivery', 'display'],
    state: 'received',
    timestamp: '2024-05-01T12:00:00+02:00',
    ...overrides,
  };
}

/** What Alice's message to Bob looks like in her journal when sent from the WebSocket (sylk spec §1.4.6). */
export function outgoing(messageId: string, overrides: Partial<NewEntry> = {}): NewEntry {
  return incoming(messageId, { direction: 'outgoing', state: 'pending', ...overrides });
}

/** An operation record (sylk spec §3.3): conversation read/remove, message remove. */
export function record(
  messageId: string,
  contentType: string,
  contact: string,
  content: string = contact,
): NewEntry {
  return {
    messageId,
    contact,
    direction: contentType === 'application/sylk-message-remove' ? 'outgoing' : '',
    contentType,
    content,
    disposition: [],
    state: null,
    timestamp: '2024-05-02T00:00:00+00:00',
  };
}
