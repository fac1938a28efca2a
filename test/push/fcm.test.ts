/**
 * The FCM provider's requests: the exact token request (the RS256 assertion verified with the test key) and message send, each kind of push, and the payload size limit.
 * Against local stand-ins for Google's token endpoint and FCM, which cannot run here (fcm-fixture.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PushNotification } from '../../src/push/provider.js';
import {
  ACCOUNT_PUBLIC_KEY,
  CALL_ID,
  CLIENT_EMAIL,
  DEVICE_TOKEN,
  PROJECT,
  START,
  decodeRs256,
  delivery,
  message,
  ownHeaders,
  target,
  useFcmFixture,
} from './fcm-fixture.js';

describe('FCM provider: requests', () => {
  const f = useFcmFixture();

  it('gets an access token with a signed assertion, then sends the exact message', async () => {
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });

    const tokenRequest = f.oauth.requests[0];
    assert.ok(tokenRequest !== undefined);
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.path, '/token');
    assert.deepEqual(ownHeaders(tokenRequest), {
      host: f.oauth.origin.slice('http://'.length),
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(tokenRequest.body)),
    });
    const form = new URLSearchParams(tokenRequest.body);
    assert.deepEqual([...form.keys()], ['grant_type', 'assertion']);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.deepEqual(decodeRs256(form.get('assertion') ?? '', ACCOUNT_PUBLIC_KEY), {
      header: { alg: 'RS256', typ: 'JWT', kid: 'key-id-1' },
      claims: {
        iss: CLIENT_EMAIL,
        scope: 'https://www.googleapis.com/auth/firebase.messaging',
        aud: `${f.oauth.origin}/token`,
        iat: START / 1000,
        exp: START / 1000 + 3600,
      },
    });

    const send = f.fcmRequest(0);
    assert.equal(send.method, 'POST');
    assert.equal(send.path, `/v1/projects/${PROJECT}/messages:send`);
    assert.deepEqual(ownHeaders(send), {
      host: f.fcm.origin.slice('http://'.length),
      authorization: 'Bearer ya29.token-1',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(send.body)),
    });
    assert.deepEqual(JSON.parse(send.body), {
      message: {
        token: DEVICE_TOKEN,
        data: {
          event: 'message',
          'call-id': CALL_ID,
          'message-id': 'msg-1',
          from: 'alice@example.com',
          from_uri: 'alice@example.com',
          'from-display-name': 'Alice',
          from_display_name: 'Alice',
          to: 'bob@example.com',
          to_uri: 'bob@example.com',
          'media-type': 'sms',
          badge: '2',
          'content-type': 'text/plain',
          content: 'Hello Bob',
        },
        android: { priority: 'high', ttl: '86400s' },
      },
    });
  });

  it('adds a notification without the text when configured, never for a silent device', async () => {
    await f.provider.close();
    f.provider = f.makeProvider({ notification: true });
    await f.provider.send(delivery());
    await f.provider.send(delivery(message(), target({ silent: true })));
    assert.deepEqual(f.sentMessage(0).notification, {
      title: 'Alice',
      body: 'New message',
    });
    assert.equal('notification' in f.sentMessage(1), false);
  });

  it('sends an RFC 8599 wake as data with the wake lifetime', async () => {
    const wake: PushNotification = {
      kind: 'wake',
      callId: CALL_ID,
      method: 'MESSAGE',
      from: 'alice@example.com',
      to: 'bob@example.com',
    };
    assert.deepEqual(await f.provider.send(delivery(wake)), { kind: 'sent' });
    assert.deepEqual(JSON.parse(f.fcmRequest(0).body), {
      message: {
        token: DEVICE_TOKEN,
        data: {
          event: 'message',
          'call-id': CALL_ID,
          from: 'alice@example.com',
          from_uri: 'alice@example.com',
          to: 'bob@example.com',
          to_uri: 'bob@example.com',
          'media-type': 'sms',
        },
        android: { priority: 'high', ttl: '60s' },
      },
    });
  });

  it('cuts a long text on a character boundary to stay within 4096 bytes', async () => {
    const long = 'é€'.repeat(2000);
    assert.deepEqual(await f.provider.send(delivery(message({ content: long }))), { kind: 'sent' });
    const sent = JSON.parse(f.fcmRequest(0).body) as { message: { data: Record<string, string> } };
    // The provider measures the data as `{"data": …}` (the notification would count too).
    const size = Buffer.byteLength(JSON.stringify({ data: sent.message.data }));
    assert.ok(size <= 4096 && size > 4093, `${String(size)} bytes`);
    const content = sent.message.data.content ?? '';
    assert.ok(long.startsWith(content) && content.length > 500, `${String(content.length)} characters`);
    assert.equal(sent.message.data['content-type'], 'text/plain');
    assert.equal(sent.message.data['call-id'], CALL_ID);
    assert.equal(sent.message.data.badge, '2');
  });

  it('leaves out a file-transfer document rather than cut it', async () => {
    const file = JSON.stringify({ url: `https://example.com/${'f'.repeat(5000)}` });
    const outcome = await f.provider.send(
      delivery(message({ content: file, contentType: 'application/sylk-file-transfer' })),
    );
    assert.deepEqual(outcome, { kind: 'sent' });
    const sent = JSON.parse(f.fcmRequest(0).body) as { message: { data: Record<string, string> } };
    assert.ok(Buffer.byteLength(JSON.stringify(sent.message.data)) <= 4096);
    assert.equal('content' in sent.message.data, false);
    assert.equal('content-type' in sent.message.data, false);
    assert.equal(sent.message.data.badge, '2');
  });

  it('never sends a payload that is too big even without content', async () => {
    const outcome = await f.provider.send(delivery(message({ fromDisplayName: 'z'.repeat(2100) })));
    assert.equal(outcome.kind, 'failed');
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.fcm.requests.length, 1, 'only the second push reached FCM');
    assert.equal(f.sentMessage(0).data.from_display_name, 'Alice');
  });
});
