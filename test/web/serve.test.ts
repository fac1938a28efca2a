// `missive serve` as a real process: its web port answers HTTP (welcome text, health, the history of an
// account whose token is in the store) and takes SIP over WebSocket on the same port; the sylkRTC-2 path
// without a subprotocol is 406; the log says where retention stands; --max-page-bytes bounds a page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateApiToken, openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { WebSocketClient } from '../support/websocket-client.js';
import { incoming } from '../store/journal-entries.js';
import { apikey, request } from './harness.js';
import { eventually } from '../support/wait.js';

const DOMAIN = 'example.test';

describe('missive serve: the web port', { timeout: 90_000 }, () => {
  let server: MissiveProcess;
  let base: string;

  before(async () => {
    server = await MissiveProcess.start({
      domain: DOMAIN,
      users: [['carol', 'secret']],
      args: ['--max-page-bytes', '8192'],
    });
    base = `http://127.0.0.1:${String(server.ports.ws)}`;
  });
  after(async () => {
    await server.stop();
  });

  test('GET / and /health', async () => {
    const welcome = await request(`${base}/`);
    assert.deepEqual([welcome.status, welcome.body], [200, 'Welcome to SylkServer!']);
    assert.match(welcome.headers.get('server') ?? '', /^SylkServer\//);
    const health = await request(`${base}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { status: 'ok' }]);
    assert.match(server.output, /"msg":"journal retention"/);
    assert.match(server.output, /"days":365/);
  });

  test('the history of an account whose token the store holds', async () => {
    const account = `carol@${DOMAIN}`;
    const token = generateApiToken();
    const store = await openStore(`sqlite://${join(server.dataDir, 'missive.db')}`);
    try {
      await store.storageAccounts.setToken(account, token, Date.now());
      await store.journal.append(account, incoming('s1'), Date.now());
    } finally {
      await store.close();
    }
    const url = `${base}/webrtcgateway/messages/history/${account}`;
    const reply = await request(url, { headers: apikey(token) });
    assert.equal(reply.status, 200, reply.body);
    const body = JSON.parse(reply.body) as { account: string; messages: { message_id: string }[] };
    assert.equal(body.account, account);
    assert.deepEqual(
      body.messages.map((m) => m.message_id),
      ['s1'],
    );
    assert.equal((await request(url)).status, 401);
    assert.ok(!server.output.includes(token), 'the token is never logged');
  });

  test('--max-page-bytes: a history page stops within it and says more follows', async () => {
    assert.match(server.output, /"msg":"web listening"/);
    assert.match(server.output, /"maxPageBytes":8192/);
    const account = `dave@${DOMAIN}`;
    const token = generateApiToken();
    const store = await openStore(`sqlite://${join(server.dataDir, 'missive.db')}`);
    try {
      await store.storageAccounts.setToken(account, token, Date.now());
      for (const id of ['p1', 'p2', 'p3']) {
        await store.journal.append(account, incoming(id, { content: 'z'.repeat(3000) }), Date.now());
      }
    } finally {
      await store.close();
    }
    const url = `${base}/webrtcgateway/messages/history/${account}`;
    const first = await request(url, { headers: apikey(token) });
    const ids = (body: string): string[] =>
      (JSON.parse(body) as { messages: { message_id: string }[] }).messages.map((m) => m.message_id);
    assert.deepEqual(ids(first.body), ['p1', 'p2']);
    assert.ok(Buffer.byteLength(first.body) <= 8192);
    assert.equal(first.headers.get('x-missive-has-more'), 'true');
    const rest = await request(`${url}/p2`, { headers: apikey(token) });
    assert.deepEqual(ids(rest.body), ['p3']);
    assert.equal(rest.headers.get('x-missive-has-more'), null);
  });

  test('SIP over WebSocket on the same port: REGISTER is challenged', async () => {
    const peer = await WebSocketClient.sip(`ws://127.0.0.1:${String(server.ports.ws)}/`);
    peer.sendRaw(
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        'Via: SIP/2.0/WS abc.invalid;branch=z9hG4bKserve1',
        'Max-Forwards: 70',
        `From: <sip:carol@${DOMAIN}>;tag=s1`,
        `To: <sip:carol@${DOMAIN}>`,
        'Call-ID: serve-register',
        'CSeq: 1 REGISTER',
        'Contact: <sip:carol@abc.invalid;transport=ws>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await eventually(() => peer.sipMessages.length > 0, 'a response');
    const response = peer.sipMessages[0];
    assert.ok(response?.kind === 'response', 'a response arrived');
    assert.equal(response.status, 401);
    peer.terminate();
    const url = `ws://127.0.0.1:${String(server.ports.ws)}/webrtcgateway/ws`;
    assert.equal(await WebSocketClient.refusal(url, []), 406);
  });
});
