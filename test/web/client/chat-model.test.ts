// The web chat's model of conversations (src/web/client/chat-model.ts): journal entries and events applied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatModel, type SyncedEntry } from '../../../src/web/client/chat-model.js';

const BOB = 'bob@example.test';

function entry(fields: Partial<Record<keyof SyncedEntry, unknown>>): SyncedEntry {
  return {
    contact: BOB,
    timestamp: '2026-12-07T10:00:00.000Z',
    content_type: 'text/plain',
    disposition: [],
    state: null,
    ...fields,
  };
}

test('a journal replay: messages, an IMDN, a removal, a read marker; unread counts what asked for display', () => {
  const model = new ChatModel();
  model.applyEntry(entry({ message_id: 'a', direction: 'outgoing', content: 'hi', state: 'accepted' }));
  model.applyEntry(
    entry({
      message_id: 'b',
      direction: 'incoming',
      content: 'yo',
      state: 'received',
      disposition: ['positive-delivery', 'display'],
    }),
  );
  model.applyEntry(
    entry({
      message_id: 'c',
      direction: 'incoming',
      content: 'gone',
      state: 'received',
      disposition: ['display'],
    }),
  );
  assert.equal(model.conversations()[0]?.unread, 2);
  model.applyEntry(
    entry({
      message_id: 'i',
      direction: 'incoming',
      content_type: 'message/imdn',
      content: JSON.stringify({ message_id: 'a', state: 'displayed' }),
    }),
  );
  model.applyEntry(
    entry({
      message_id: 'r',
      direction: 'incoming',
      content_type: 'application/sylk-message-remove',
      content: JSON.stringify({ contact: BOB, message_id: 'c', direction: 'incoming' }),
    }),
  );
  assert.deepEqual(
    model.messages(BOB).map((m) => [m.id, m.state]),
    [
      ['a', 'displayed'],
      ['b', 'received'],
    ],
  );
  assert.equal(model.conversations()[0]?.unread, 1);
  model.applyEntry(
    entry({
      message_id: 'm',
      direction: '',
      content_type: 'application/sylk-conversation-read',
      content: BOB,
    }),
  );
  assert.equal(model.conversations()[0]?.unread, 0);
  model.applyEntry(
    entry({
      message_id: 'x',
      direction: '',
      content_type: 'application/sylk-conversation-remove',
      content: BOB,
    }),
  );
  assert.deepEqual(model.conversations(), []);
});

test('a sent message never goes back: a late accepted after displayed is ignored, failed only before delivery', () => {
  const model = new ChatModel();
  model.applyEntry(entry({ message_id: 'a', direction: 'outgoing', content: 'hi', state: 'pending' }));
  model.updateState('a', 'displayed');
  model.updateState('a', 'accepted');
  model.updateState('a', 'failed');
  assert.equal(model.messages(BOB)[0]?.state, 'displayed');
  model.applyEntry(entry({ message_id: 'b', direction: 'outgoing', content: 'again', state: 'pending' }));
  model.updateState('b', 'failed', '404 Not Found');
  assert.equal(model.messages(BOB)[1]?.state, 'failed');
  assert.equal(model.messages(BOB)[1]?.error, '404 Not Found');
});

test('a message seen twice (a replica, a page synced again) is kept once; control types are not shown', () => {
  const model = new ChatModel();
  const hi = entry({ message_id: 'a', direction: 'outgoing', content: 'hi' });
  model.applyEntry(hi);
  model.applyEntry(hi);
  model.applyEntry(
    entry({
      message_id: 'l',
      direction: 'outgoing',
      content_type: 'application/sylk-location-sharing',
      content: '{}',
    }),
  );
  model.applyEntry(
    entry({ message_id: 'k', direction: 'incoming', content_type: 'text/pgp-public-key', content: 'KEY' }),
  );
  assert.deepEqual(
    model.messages(BOB).map((m) => m.id),
    ['a'],
  );
});

test('a disposition that arrives before its message is applied when the message comes', () => {
  const model = new ChatModel();
  model.updateState('a', 'delivered');
  model.applyEntry(entry({ message_id: 'a', direction: 'outgoing', content: 'hi', state: 'pending' }));
  assert.equal(model.messages(BOB)[0]?.state, 'delivered');
});

test('keys are never shown: a public key, a private key for the other devices, an import notice', () => {
  const model = new ChatModel();
  for (const [id, type] of [
    ['k1', 'text/pgp-public-key'],
    ['k2', 'text/pgp-private-key'],
    ['k3', 'text/pgp-public-key-imported'],
  ] as const)
    model.applyEntry(entry({ message_id: id, direction: 'incoming', content_type: type, content: 'KEY' }));
  model.applyEntry(entry({ message_id: 'm', direction: 'incoming', content: 'hello' }));
  assert.deepEqual(
    model.messages(BOB).map((m) => m.id),
    ['m'],
  );
});

test('an uploaded file: the announcement replaces the page’s placeholder and counts as sent', () => {
  const model = new ChatModel();
  model.add({
    id: 't1',
    contact: BOB,
    direction: 'outgoing',
    contentType: 'application/sylk-file-transfer',
    content: '{"filename":"a.png"}',
    timestamp: '2026-12-07T10:00:00.000Z',
    state: 'pending',
    disposition: [],
  });
  model.settleUpload('t1', '{"filename":"a.png","url":"https://x/webrtcgateway/filetransfer/a/b/t1/a.png"}');
  const [message] = model.messages(BOB);
  assert.equal(message?.state, 'accepted');
  assert.match(message.content, /"url"/);
  // A later state is kept: the announcement's sync may come after Bob's page said delivered.
  model.updateState('t1', 'delivered');
  model.settleUpload('t1', '{"filename":"a.png","url":"https://x/webrtcgateway/filetransfer/a/b/t1/a.png"}');
  assert.equal(model.messages(BOB)[0]?.state, 'delivered');
});
