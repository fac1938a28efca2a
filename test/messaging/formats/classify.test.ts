/** Classification (sylk spec §2.3) and the bodies of the sylk-api content types (sylk spec §2.4). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyMessage, isApiRequest } from '../../../src/messaging/formats/classify.js';
import { parseIsComposing } from '../../../src/messaging/formats/is-composing.js';
import type { Result } from '../../../src/messaging/formats/result.js';
import { formatTimestamp } from '../../../src/messaging/formats/timestamp.js';

function classify(contentType: string, content = ''): ReturnType<typeof classifyMessage> {
  return classifyMessage({ contentType, content });
}

function kind(result: Result<{ kind: string }>): string {
  return result.ok ? result.value.kind : `error:${result.error.code}`;
}

test('the API content types, plain or unwrapped from CPIM, first', () => {
  assert.deepEqual(classify('application/sylk-api-token', 'ignored'), {
    ok: true,
    value: { kind: 'api-token' },
  });
  assert.deepEqual(classify('application/sylk-api-pgp-key-lookup'), {
    ok: true,
    value: { kind: 'pgp-key-lookup' },
  });
  assert.deepEqual(classify('application/sylk-api-message-remove', 'm1'), {
    ok: true,
    value: { kind: 'message-remove', messageId: 'm1' },
  });
  assert.deepEqual(classify('application/sylk-api-conversation-read', '{"contact": "bob@example.com"}'), {
    ok: true,
    value: { kind: 'conversation-read', contact: 'bob@example.com' },
  });
  const remove = classify(
    'application/sylk-api-conversation-remove',
    '{"contact":"sip:bob@example.com","timestamp":"2024-05-02T00:00:00+00:00"}',
  );
  assert.ok(remove.ok && remove.value.kind === 'conversation-remove');
  assert.equal(remove.value.contact, 'bob@example.com');
  assert.equal(
    remove.value.timestamp && formatTimestamp(remove.value.timestamp),
    '2024-05-02T00:00:00+00:00',
  );
  const noTimestamp = classify('application/sylk-api-conversation-remove', '{"contact":"bob@example.com"}');
  assert.ok(noTimestamp.ok && noTimestamp.value.kind === 'conversation-remove');
  assert.equal(noTimestamp.value.timestamp, undefined);
  for (const api of [
    'api-token',
    'pgp-key-lookup',
    'message-remove',
    'conversation-read',
    'conversation-remove',
  ] as const) {
    assert.ok(isApiRequest(api));
  }
  assert.equal(isApiRequest('message'), false);
});

test('malformed API bodies are typed errors (the reference ignores them)', () => {
  const cases: [string, string][] = [
    ['application/sylk-api-message-remove', ''],
    ['application/sylk-api-conversation-read', ''],
    ['application/sylk-api-conversation-read', 'bob@example.com'],
    ['application/sylk-api-conversation-read', '["bob@example.com"]'],
    ['application/sylk-api-conversation-read', '{}'],
    ['application/sylk-api-conversation-read', '{"contact": 1}'],
    ['application/sylk-api-conversation-read', '{"contact": "bad contact@@"}'],
    ['application/sylk-api-conversation-remove', '{"timestamp": "2024-05-02T00:00:00Z"}'],
    ['application/sylk-api-conversation-remove', '{"contact": "bob@example.com", "timestamp": "tomorrow"}'],
    ['application/sylk-api-conversation-remove', '{"contact": "bob@example.com", "timestamp": 1714608000}'],
    ['application/sylk-api-conversation-remove', 'null'],
  ];
  for (const [contentType, content] of cases) {
    assert.equal(
      kind(classify(contentType, content)),
      'error:malformed-api-body',
      `${contentType} ${content}`,
    );
  }
});

test('IMDN, is-composing, PGP keys, file transfers and everything else', () => {
  const imdn = classify(
    'message/imdn+xml',
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m1</message-id><datetime>d</datetime>' +
      '<delivery-notification><status><delivered/></status></delivery-notification></imdn>',
  );
  assert.ok(imdn.ok && imdn.value.kind === 'imdn');
  assert.equal(imdn.value.imdn.status, 'delivered');
  assert.equal(kind(classify('message/imdn+xml', '<not-imdn/>')), 'error:malformed-imdn');

  const composing = classify(
    'application/im-iscomposing+xml',
    '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state>' +
      '<contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>',
  );
  assert.deepEqual(composing, {
    ok: true,
    value: {
      kind: 'is-composing',
      isComposing: { state: 'active', refresh: 60, contentType: 'text/plain', lastActive: undefined },
    },
  });
  assert.deepEqual(classify('application/im-iscomposing+xml', 'garbage'), {
    ok: true,
    value: { kind: 'is-composing', isComposing: undefined },
  });

  assert.deepEqual(classify('text/pgp-public-key', '-----BEGIN PGP PUBLIC KEY BLOCK-----'), {
    ok: true,
    value: { kind: 'pgp-public-key', key: '-----BEGIN PGP PUBLIC KEY BLOCK-----' },
  });
  assert.equal(kind(classify('text/pgp-private-key', 'secret')), 'pgp-private-key');

  const transfer = classify(
    'application/sylk-file-transfer',
    JSON.stringify({
      filename: 'a.png',
      filesize: 3,
      sender: { uri: 'a@x', display_name: '' },
      receiver: { uri: 'b@x', display_name: '' },
      transfer_id: 't1',
      timestamp: 't',
      until: 'u',
      url: 'https://x/a.png',
      filetype: 'image/png',
    }),
  );
  assert.ok(transfer.ok && transfer.value.kind === 'file-transfer');
  assert.equal(transfer.value.transfer.transfer_id, 't1');
  assert.equal(kind(classify('application/sylk-file-transfer', '{}')), 'error:malformed-file-transfer');

  // Exact types only: the reference's substring test on is-composing (sylk spec §8.12) is not repeated.
  for (const other of ['text/plain', 'text/html', 'image/png', 'application/im', 'xml', 'message/imdn']) {
    assert.equal(kind(classify(other, 'x')), 'message', other);
  }
});

test('is-composing documents', () => {
  const idle = parseIsComposing(
    '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>idle</state>' +
      '<lastactive>2024-05-01T10:00:00Z</lastactive><refresh>x</refresh></isComposing>',
  );
  assert.deepEqual(idle, {
    ok: true,
    value: { state: 'idle', refresh: undefined, contentType: undefined, lastActive: '2024-05-01T10:00:00Z' },
  });
  assert.equal(parseIsComposing('<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>').ok, false);
  assert.equal(parseIsComposing('<isComposing><state>active</state></isComposing>').ok, false);
});
