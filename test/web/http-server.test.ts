// The web port as one server: GET /, /health, Server header, 404/405, WebSocket upgrades routed by
// subprotocol (sip to the SIP transport, sylkRTC-2 reserved, 406 without one on /webrtcgateway/ws), a SIP
// client that registers through the shared server, and the same over HTTPS/wss.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { SipService } from '../../src/server/sip-service.js';
import { WELCOME } from '../../src/web/web-app.js';
import { SERVER_HEADER } from '../../src/web/web-service.js';
import { digestAuthorization } from '../sip/auth/digest-client.js';
import { selfSignedCertificate } from '../sip/transport/helpers.js';
import { WebSocketClient } from '../support/websocket-client.js';
import { request, startWeb, type WebHarness } from './harness.js';
import { waitFor } from '../support/wait.js';

const DOMAIN = 'example.test';

describe('web port', () => {
  let dir: string;
  let web: WebHarness;
  let sip: SipService;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-web-'));
    const uri = `sqlite://${join(dir, 'store.db')}`;
    // The SIP service listens on nothing of its own: its WebSocket point is the web server's.
    const { openStore } = await import('../../src/store/index.js');
    const setup = await openStore(uri);
    await setup.subscribers.add('carol', DOMAIN, 'secret');
    await setup.close();
    web = await startWeb(uri, { sip: { handleUpgrade: (...args) => sip.transports.handleUpgrade(...args) } });
    sip = new SipService({ store: web.store, domains: [DOMAIN], host: '127.0.0.1', listen: [] });
    sip.addSharedWebSocket('ws', web.port);
    await sip.start();
  });
  after(async () => {
    await sip.stop();
    await web.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('GET / is the welcome text, with the Server header', async () => {
    const reply = await request(`${web.base}/`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body, WELCOME);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(reply.headers.get('server'), SERVER_HEADER);
    assert.match(SERVER_HEADER, /^SylkServer\/\d/);
  });

  test('/health answers ok while the store does', async () => {
    const reply = await request(`${web.base}/health`);
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { status: 'ok' });
  });

  test('unknown paths are 404 and other methods on the history 405, with the Server header', async () => {
    const missing = await request(`${web.base}/nothing/here`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('server'), SERVER_HEADER);
    const post = await request(`${web.base}/webrtcgateway/messages/history/alice@example.com`, {
      method: 'POST',
    });
    assert.equal(post.status, 405);
    const put = await request(`${web.base}/webrtcgateway/messages/journal/alice@example.com`, {
      method: 'PUT',
    });
    assert.equal(put.status, 405);
  });

  test('an upgrade to /webrtcgateway/ws without a supported subprotocol is 406 (sylk spec §9.1)', async () => {
    const url = `ws://127.0.0.1:${web.port}/webrtcgateway/ws`;
    assert.equal(await WebSocketClient.refusal(url, []), 406);
    assert.equal(await WebSocketClient.refusal(url, ['chat', 'sylkrtc-2']), 406);
  });

  test('without the messaging service, sylkRTC-2 is refused with 501, saying so', async () => {
    const url = `ws://127.0.0.1:${web.port}/webrtcgateway/ws`;
    const reason = await new Promise<string>((resolve, reject) => {
      const socket = new WebSocket(url, ['sylkRTC-2']);
      socket.on('unexpected-response', (_request, response) => {
        resolve(`${String(response.statusCode)} ${response.statusMessage ?? ''}`);
        socket.terminate();
      });
      socket.on('open', () => {
        reject(new Error('accepted'));
      });
      socket.on('error', () => undefined);
    });
    assert.equal(reason, '501 sylkRTC-2 WebSocket API not served here');
  });

  test('an upgrade elsewhere without sip is 400; sip is accepted on any path', async () => {
    assert.equal(await WebSocketClient.refusal(`ws://127.0.0.1:${web.port}/other`, ['chat']), 400);
    const peer = await WebSocketClient.sip(`ws://127.0.0.1:${web.port}/`);
    assert.equal(peer.protocol, 'sip');
    peer.terminate();
  });

  test('a SIP WebSocket client registers through the shared server', async () => {
    const peer = await WebSocketClient.sip(`ws://127.0.0.1:${web.port}/webrtcgateway/ws`, {}, ['sip']);
    const frameMatching = (pattern: RegExp): Promise<string> =>
      waitFor(
        () => peer.rawFrames.find((f) => pattern.test(f.data.toString()))?.data.toString(),
        `a frame matching ${String(pattern)}`,
      );
    const register = (cseq: number, auth?: string): string =>
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WS abc.invalid;branch=z9hG4bKweb${String(cseq)}`,
        'Max-Forwards: 70',
        `From: <sip:carol@${DOMAIN}>;tag=ws1`,
        `To: <sip:carol@${DOMAIN}>`,
        'Call-ID: web-register',
        `CSeq: ${String(cseq)} REGISTER`,
        'Contact: <sip:carol@abc.invalid;transport=ws>',
        'Expires: 300',
        ...(auth === undefined ? [] : [`Authorization: ${auth}`]),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    peer.sendRaw(register(1));
    const challenge = await frameMatching(/^SIP\/2.0 401/);
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
    peer.sendRaw(
      register(
        2,
        digestAuthorization({
          username: 'carol',
          realm: DOMAIN,
          password: 'secret',
          nonce,
          method: 'REGISTER',
          uri: `sip:${DOMAIN}`,
        }),
      ),
    );
    const ok = await frameMatching(/^SIP\/2.0 200/);
    assert.match(ok, /Contact: <sip:carol@abc\.invalid;transport=ws>/i);
    const bindings = await web.store.locations.lookup(`carol@${DOMAIN}`, Date.now());
    assert.equal(bindings.length, 1);
    peer.terminate();
  });
});

describe('web port over TLS', () => {
  let dir: string;
  let web: WebHarness;
  let sip: SipService;
  let cert: Buffer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-web-tls-'));
    const tls = await selfSignedCertificate();
    cert = tls.cert;
    web = await startWeb(`sqlite://${join(dir, 'store.db')}`, {
      tls,
      sip: { handleUpgrade: (...args) => sip.transports.handleUpgrade(...args) },
    });
    sip = new SipService({ store: web.store, domains: [DOMAIN], host: '127.0.0.1', listen: [] });
    sip.addSharedWebSocket('wss', web.port);
    await sip.start();
  });
  after(async () => {
    await sip.stop();
    await web.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('HTTPS serves the routes and a SIP upgrade over TLS is wss', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      httpsRequest(`${web.base}/`, { ca: cert }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          resolve(text);
        });
      })
        .on('error', reject)
        .end();
    });
    assert.equal(body, WELCOME);
    const arrived = new Promise<string>((resolve) => {
      sip.transports.once('message', (_message, source) => {
        resolve(source.transport);
      });
    });
    const peer = await WebSocketClient.sip(`wss://127.0.0.1:${web.port}/`, { ca: cert });
    peer.sendRaw(
      [
        'OPTIONS sip:example.test SIP/2.0',
        'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKtls1',
        'Max-Forwards: 70',
        'From: <sip:carol@example.test>;tag=t1',
        'To: <sip:example.test>',
        'Call-ID: tls-options',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    assert.equal(await arrived, 'wss');
    peer.terminate();
  });
});
