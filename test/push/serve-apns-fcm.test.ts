/**
 * APNs and FCM end to end through a real `missive serve`, pointed by its [Push] settings (`apns_origin`,
 * `fcm_origin`, `fcm_token_url`: for testing or a proxy) at local stand-ins: an HTTP/2 server over TLS for
 * Apple's APNs and plain HTTP servers for Google's OAuth 2 token endpoint and FCM (none of Apple's or Google's
 * services can run here; the stand-ins record the exact requests). A WebSocket device stores its token
 * (account-devicetoken, sylk spec §1.4.5) and goes away; a MESSAGE from alice's SIP device then reaches it
 * as exactly one request to its provider: method, path, headers, a provider token that verifies with the
 * test key and has the right claims, and the JSON body.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cleanup } from '../interop/harness/cleanup.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { waitFor } from '../support/wait.js';
import { WebSocketClient } from '../support/websocket-client.js';
import { bearer, bodyOf, decodeJwt, P8, TEAM_PUBLIC_KEY } from './apns-fixture.js';
import { ApnsStandIn } from './apns-stand-in.js';
import {
  ACCOUNT_PUBLIC_KEY,
  CLIENT_EMAIL,
  decodeRs256,
  ownHeaders,
  PRIVATE_PEM,
  PROJECT,
} from './fcm-fixture.js';
import { HttpStandIn } from './http-stand-in.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const IOS_APP = 'com.example.ios';
const ANDROID_APP = 'com.example.android';
const KEY_ID = 'ABCDE12345';
const TEAM_ID = 'TEAM123456';
const VOIP_TOKEN = 'ab'.repeat(32);
const BACKGROUND_TOKEN = 'cd'.repeat(32);
const FCM_TOKEN = `fcm-token:APA91b${'Q'.repeat(60)}`;
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('missive serve: APNs and FCM through their origin settings, at local stand-ins', {
  timeout: 120_000,
}, () => {
  const peers = new Cleanup();
  const files = mkdtempSync(join(tmpdir(), 'missive-push-'));
  let apns: ApnsStandIn;
  let oauth: HttpStandIn;
  let fcm: HttpStandIn;
  let missive: MissiveProcess;
  let alice: Agent;
  let url: string;

  /** A WebSocket device of `user` that stores a push token, then goes away (its connection closed). */
  const deviceGoneAway = async (user: string, token: Record<string, unknown>): Promise<void> => {
    const account = `${user}@${DOMAIN}`;
    const client = await WebSocketClient.ready(url);
    try {
      await client.register(account, PASSWORD);
      const stored = await client.request({ sylkrtc: 'account-devicetoken', account, ...token });
      assert.equal(stored.sylkrtc, 'ack', JSON.stringify(stored));
    } finally {
      client.close();
    }
  };

  const sendText = async (to: string, text: string): Promise<number> =>
    (await alice.authenticated({ method: 'MESSAGE', uri: `sip:${to}@${DOMAIN}`, body: text })).status;

  before(async () => {
    apns = await ApnsStandIn.start();
    peers.add({ stop: () => apns.close() });
    oauth = await HttpStandIn.start();
    peers.add({ stop: () => oauth.close() });
    oauth.responder = () => ({
      status: 200,
      body: JSON.stringify({ access_token: 'ya29.stand-in', expires_in: 3600, token_type: 'Bearer' }),
    });
    fcm = await HttpStandIn.start();
    peers.add({ stop: () => fcm.close() });
    fcm.responder = () => ({ status: 200, body: JSON.stringify({ name: `projects/${PROJECT}/messages/1` }) });

    const keyFile = join(files, `AuthKey_${KEY_ID}.p8`);
    writeFileSync(keyFile, P8);
    const accountFile = join(files, 'service-account.json');
    writeFileSync(
      accountFile,
      JSON.stringify({
        type: 'service_account',
        project_id: PROJECT,
        private_key_id: 'key-id-1',
        private_key: PRIVATE_PEM,
        client_email: CLIENT_EMAIL,
        token_uri: GOOGLE_TOKEN_URI,
      }),
    );
    // The APNs stand-in's self-signed certificate, trusted the way an operator trusts a proxy's own CA.
    const caFile = join(files, 'apns-stand-in.pem');
    writeFileSync(caFile, apns.ca);

    const users = ['alice', 'bob', 'carol'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        // A loaded CI machine may take long to compile and start it: bounded, but generous.
        users,
        env: { NODE_EXTRA_CA_CERTS: caFile },
        args: [
          '--push-apps',
          `${IOS_APP}:apns, ${ANDROID_APP}:fcm`,
          '--apns-key-file',
          keyFile,
          '--apns-key-id',
          KEY_ID,
          '--apns-team-id',
          TEAM_ID,
          '--apns-origin',
          apns.origin,
          '--fcm-service-account-file',
          accountFile,
          '--fcm-origin',
          fcm.origin,
          '--fcm-token-url',
          `${oauth.origin}/token`,
        ],
      }),
    );
    url = `ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`;
    alice = peers.add(
      await new Agent('alice', DOMAIN, PASSWORD, {
        transport: 'udp',
        host: '127.0.0.1',
        port: missive.ports.sip,
      }).start(),
    );
  });
  after(async () => {
    await peers.run();
    rmSync(files, { recursive: true, force: true });
  });

  test('an iOS device that went away: one APNs request on its background token, ES256 provider token, the Sylk payload', async () => {
    await deviceGoneAway('bob', {
      token: `${VOIP_TOKEN}-${BACKGROUND_TOKEN}`,
      platform: 'ios',
      device: 'iphone-1',
      silent: false,
      app: IOS_APP,
    });
    const before = Math.floor(Date.now() / 1000);
    assert.equal(await sendText('bob', 'hello bob'), 200);
    const request = await waitFor(() => apns.requests[0], 'the APNs request');
    const after = Math.ceil(Date.now() / 1000);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name !== 'authorization'),
    );
    const callId = String(headers['apns-id']);
    assert.match(callId, UUID);
    const expiration = Number(headers['apns-expiration']);
    assert.ok(expiration >= before + 86_400 && expiration <= after + 86_400, String(expiration));
    assert.deepEqual(headers, {
      ':method': 'POST',
      ':path': `/3/device/${BACKGROUND_TOKEN}`,
      ':scheme': 'https',
      ':authority': apns.origin.slice('https://'.length),
      'apns-topic': IOS_APP,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(expiration),
      'apns-id': callId,
      'content-length': String(request.body.length),
    });
    const jwt = decodeJwt(bearer(request), TEAM_PUBLIC_KEY);
    const claims = jwt.claims as { iss: string; iat: number };
    assert.deepEqual(jwt.header, { alg: 'ES256', kid: KEY_ID });
    assert.equal(claims.iss, TEAM_ID);
    assert.ok(claims.iat >= before - 1 && claims.iat <= after, String(claims.iat));
    const body = bodyOf(request) as Record<string, unknown>;
    assert.deepEqual(body, {
      aps: { alert: { title: `alice@${DOMAIN}`, body: 'hello bob' }, sound: 'default', badge: 1 },
      event: 'message',
      'call-id': callId,
      'message-id': body['message-id'],
      from: `alice@${DOMAIN}`,
      from_uri: `alice@${DOMAIN}`,
      'from-display-name': '',
      from_display_name: '',
      to: `bob@${DOMAIN}`,
      to_uri: `bob@${DOMAIN}`,
      'media-type': 'sms',
      badge: '1',
      'content-type': 'text/plain',
      content: 'hello bob',
    });
    assert.equal(typeof body['message-id'], 'string');
    assert.equal(apns.requests.length, 1);
  });

  test('an Android device that went away: an access token from the token URL, then one FCM send', async () => {
    await deviceGoneAway('carol', {
      token: FCM_TOKEN,
      platform: 'android',
      device: 'pixel-1',
      silent: false,
      app: ANDROID_APP,
    });
    const before = Math.floor(Date.now() / 1000);
    assert.equal(await sendText('carol', 'hello carol'), 200);
    const send = await waitFor(() => fcm.requests[0], 'the FCM request');
    const after = Math.ceil(Date.now() / 1000);

    assert.equal(oauth.requests.length, 1);
    const tokenRequest = oauth.requests[0];
    assert.ok(tokenRequest !== undefined);
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.path, '/token');
    assert.deepEqual(ownHeaders(tokenRequest), {
      host: oauth.origin.slice('http://'.length),
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(tokenRequest.body)),
    });
    const form = new URLSearchParams(tokenRequest.body);
    assert.deepEqual([...form.keys()], ['grant_type', 'assertion']);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const assertion = decodeRs256(form.get('assertion') ?? '', ACCOUNT_PUBLIC_KEY);
    const claims = assertion.claims as Record<string, unknown>;
    assert.deepEqual(assertion.header, { alg: 'RS256', typ: 'JWT', kid: 'key-id-1' });
    const iat = Number(claims.iat);
    assert.ok(iat >= before - 1 && iat <= after, String(iat));
    // Posted to the stand-in, addressed to Google's token URI (the key's): the audience is whom it is for.
    assert.deepEqual(claims, {
      iss: CLIENT_EMAIL,
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
      aud: GOOGLE_TOKEN_URI,
      iat,
      exp: iat + 3600,
    });

    assert.equal(send.method, 'POST');
    assert.equal(send.path, `/v1/projects/${PROJECT}/messages:send`);
    assert.deepEqual(ownHeaders(send), {
      host: fcm.origin.slice('http://'.length),
      authorization: 'Bearer ya29.stand-in',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(send.body)),
    });
    const message = (JSON.parse(send.body) as { message: { data: Record<string, string> } }).message;
    assert.match(message.data['call-id'] ?? '', UUID);
    assert.deepEqual(message, {
      token: FCM_TOKEN,
      data: {
        event: 'message',
        'call-id': message.data['call-id'],
        'message-id': message.data['message-id'],
        from: `alice@${DOMAIN}`,
        from_uri: `alice@${DOMAIN}`,
        'from-display-name': '',
        from_display_name: '',
        to: `carol@${DOMAIN}`,
        to_uri: `carol@${DOMAIN}`,
        'media-type': 'sms',
        badge: '1',
        'content-type': 'text/plain',
        content: 'hello carol',
      },
      android: { priority: 'high', ttl: '86400s' },
    });
    assert.equal(fcm.requests.length, 1);
  });
});
