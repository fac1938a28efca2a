/**
 * The APNs provider's requests: the exact method, path, headers, provider token and JSON body of each kind of push, and the payload size limits.
 * Against a local stand-in for APNs, which cannot run here (apns-fixture.ts, apns-stand-in.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PushNotification } from '../../src/push/provider.js';
import {
  CALL_ID,
  START,
  TOKEN,
  TEAM_PUBLIC_KEY,
  bearer,
  bodyOf,
  decodeJwt,
  delivery,
  message,
  target,
  useApnsFixture,
} from './apns-fixture.js';

describe('APNs provider: requests', () => {
  const f = useApnsFixture();

  it('sends a message as an alert: exact path, headers, provider token and body', async () => {
    const outcome = await f.provider.send(delivery());
    assert.deepEqual(outcome, { kind: 'sent' });
    const request = f.requestAt(0);
    const jwt = bearer(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name !== 'authorization'),
    );
    assert.deepEqual(headers, {
      ':method': 'POST',
      ':path': `/3/device/${TOKEN}`,
      ':scheme': 'https',
      ':authority': f.standIn.origin.slice('https://'.length),
      'apns-topic': 'com.agprojects.sylk-ios',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(START / 1000 + 86_400),
      'apns-id': CALL_ID,
      'content-length': String(request.body.length),
    });
    assert.deepEqual(decodeJwt(jwt, TEAM_PUBLIC_KEY), {
      header: { alg: 'ES256', kid: 'ABC123DEFG' },
      claims: { iss: 'TEAM456XYZ', iat: START / 1000 },
    });
    assert.deepEqual(bodyOf(request), {
      aps: { alert: { title: 'Alice', body: 'Hello Bob' }, sound: 'default', badge: 3 },
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
      badge: '3',
      'content-type': 'text/plain',
      content: 'Hello Bob',
    });
  });

  it('titles the alert with the address when there is no display name, and says only "New message" without content', async () => {
    const bare: PushNotification = {
      kind: 'message',
      callId: CALL_ID,
      messageId: 'msg-1',
      from: 'alice@example.com',
      fromDisplayName: null,
      to: 'bob@example.com',
      badge: 3,
    };
    assert.deepEqual(await f.provider.send(delivery(bare)), { kind: 'sent' });
    const body = bodyOf(f.standIn.requests[0]) as Record<string, unknown>;
    assert.deepEqual(body.aps, {
      alert: { title: 'alice@example.com', body: 'New message' },
      sound: 'default',
      badge: 3,
    });
    assert.equal('content' in body, false);
    assert.equal('content-type' in body, false);
  });

  it('sends a silent push as background at priority 5, without alert, sound or badge', async () => {
    assert.deepEqual(await f.provider.send(delivery(message(), target({ silent: true }))), { kind: 'sent' });
    const request = f.requestAt(0);
    assert.equal(request.headers['apns-push-type'], 'background');
    assert.equal(request.headers['apns-priority'], '5');
    assert.equal(request.headers['apns-topic'], 'com.agprojects.sylk-ios');
    assert.deepEqual((bodyOf(request) as Record<string, unknown>).aps, { 'content-available': 1 });
  });

  it('wakes a device for an INVITE with a VoIP push to <bundle>.voip, expiring with the wake lifetime', async () => {
    const wake: PushNotification = {
      kind: 'wake',
      callId: CALL_ID,
      method: 'INVITE',
      from: 'alice@example.com',
      to: 'bob@example.com',
    };
    assert.deepEqual(await f.provider.send(delivery(wake)), { kind: 'sent' });
    const request = f.requestAt(0);
    assert.equal(request.headers['apns-push-type'], 'voip');
    assert.equal(request.headers['apns-topic'], 'com.agprojects.sylk-ios.voip');
    assert.equal(request.headers['apns-priority'], '10');
    assert.equal(request.headers['apns-expiration'], String(START / 1000 + 60));
    assert.deepEqual(bodyOf(request), {
      event: 'incoming_session',
      'call-id': CALL_ID,
      from: 'alice@example.com',
      from_uri: 'alice@example.com',
      to: 'bob@example.com',
      to_uri: 'bob@example.com',
      'media-type': 'audio',
    });
  });

  it('wakes a device for a MESSAGE with an alert that also wakes the app, without a badge', async () => {
    const wake: PushNotification = {
      kind: 'wake',
      callId: CALL_ID,
      method: 'MESSAGE',
      from: 'alice@example.com',
      to: 'bob@example.com',
    };
    assert.deepEqual(await f.provider.send(delivery(wake)), { kind: 'sent' });
    const request = f.requestAt(0);
    assert.equal(request.headers['apns-push-type'], 'alert');
    assert.equal(request.headers['apns-topic'], 'com.agprojects.sylk-ios');
    assert.equal(request.headers['apns-priority'], '10');
    assert.deepEqual((bodyOf(request) as Record<string, unknown>).aps, {
      alert: { title: 'alice@example.com', body: 'New message' },
      sound: 'default',
      'content-available': 1,
    });
  });

  it('omits apns-id when the call id is not a UUID', async () => {
    assert.deepEqual(await f.provider.send(delivery(message({ callId: 'not-a-uuid' }))), { kind: 'sent' });
    assert.equal(f.standIn.requests[0]?.headers['apns-id'], undefined);
  });

  it('cuts a long text on a character boundary to stay within 4096 bytes, keeping sender, badge and ids', async () => {
    const long = 'é€'.repeat(2000);
    assert.deepEqual(await f.provider.send(delivery(message({ content: long }))), { kind: 'sent' });
    const request = f.requestAt(0);
    // As much as fits: the next character (2 or 3 bytes) would not.
    assert.ok(
      request.body.length <= 4096 && request.body.length > 4093,
      `${String(request.body.length)} bytes`,
    );
    const body = bodyOf(request) as Record<string, unknown>;
    const content = String(body.content);
    assert.ok(long.startsWith(content) && content.length > 500, `${String(content.length)} characters`);
    assert.equal(body['content-type'], 'text/plain');
    assert.deepEqual(body.aps, {
      alert: { title: 'Alice', body: `${Array.from(long).slice(0, 199).join('')}…` },
      sound: 'default',
      badge: 3,
    });
    assert.equal(body['call-id'], CALL_ID);
    assert.equal(body.from, 'alice@example.com');
  });

  it('leaves out content that is no use cut (PGP), keeping sender, badge and ids', async () => {
    const pgp = `-----BEGIN PGP MESSAGE-----\n${'A'.repeat(5000)}\n-----END PGP MESSAGE-----`;
    assert.deepEqual(await f.provider.send(delivery(message({ content: pgp }))), { kind: 'sent' });
    const request = f.requestAt(0);
    assert.ok(request.body.length <= 4096, `${String(request.body.length)} bytes`);
    const body = bodyOf(request) as Record<string, unknown>;
    assert.equal('content' in body, false);
    assert.equal('content-type' in body, false);
    assert.deepEqual(body.aps, {
      alert: { title: 'Alice', body: 'New message' },
      sound: 'default',
      badge: 3,
    });
    assert.equal(body['call-id'], CALL_ID);
  });

  it('keeps content that fits, with the alert body cut to 200 characters', async () => {
    const text = 'y'.repeat(1500);
    assert.deepEqual(await f.provider.send(delivery(message({ content: text }))), { kind: 'sent' });
    const body = bodyOf(f.standIn.requests[0]) as { aps: { alert: { body: string } }; content: string };
    assert.equal(body.content, text);
    assert.equal(body.aps.alert.body, `${'y'.repeat(199)}…`);
  });

  it('never sends a payload that is too big even without content', async () => {
    const outcome = await f.provider.send(delivery(message({ fromDisplayName: 'z'.repeat(2100) })));
    assert.equal(outcome.kind, 'failed');
    assert.match((outcome as { reason: string }).reason, /too big/);
    // The next push arrives as the first request: the too-big one was never sent.
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.standIn.requests.length, 1);
    assert.equal((bodyOf(f.standIn.requests[0]) as Record<string, unknown>).from_display_name, 'Alice');
  });

  it('answers token-gone for a token that is not hex, without sending it', async () => {
    const outcome = await f.provider.send(delivery(message(), target({ token: '../../3/other' })));
    assert.equal(outcome.kind, 'token-gone');
    assert.deepEqual(await f.provider.send(delivery()), { kind: 'sent' });
    assert.equal(f.standIn.requests.length, 1);
  });
});
