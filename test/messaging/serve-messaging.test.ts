/**
 * `missive serve --outbound-proxy`: the behind-proxy mode wired through the CLI. A trusted peer's api-token
 * request (X-Sylk-App) is answered by the messaging application and the token reply goes out through the
 * configured proxy (here an agent that records it); a message to that account is then stored (its storage
 * account exists since the token request).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipRequest } from '../../src/sip/message/message.js';
import { openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Agent } from '../support/sip-agent.js';
import { ANSWER_MS, answerMessages, cpim, inject } from './app-fixture.js';

const DOMAIN = 'serve.test';

describe('missive serve, behind a proxy', { timeout: 60_000 }, () => {
  it('answers X-Sylk-App MESSAGEs from the proxy and sends its own through --outbound-proxy', async () => {
    const proxy = await new Agent('proxy', DOMAIN, 'x', {
      transport: 'udp',
      host: '127.0.0.1',
      port: 9,
    }).start();
    answerMessages(proxy);
    const server = await MissiveProcess.start({
      domain: DOMAIN,
      users: [['alice', 'secret']],
      trustedPeers: ['127.0.0.1/32'],
      args: [
        '--outbound-proxy',
        `sip:127.0.0.1:${String(proxy.port)}`,
        '--public-url',
        'https://history.serve.test',
      ],
    });
    const kamailio = await new Agent('alice', DOMAIN, 'secret', {
      transport: 'udp',
      host: '127.0.0.1',
      port: server.ports.sip,
    }).start();
    try {
      const alice = `alice@${DOMAIN}`;
      const plain = await inject(kamailio, { to: alice, contentType: 'text/plain', body: 'before' });
      assert.equal(plain.status, 200);
      const token = await inject(kamailio, {
        to: alice,
        contentType: 'application/sylk-api-token',
        body: 'x',
      });
      assert.equal(token.status, 200);
      const reply = (
        await proxy.next(
          (m) => m.kind === 'request' && m.headers.get('Content-Type') === 'application/sylk-api-token',
          ANSWER_MS,
        )
      ).message as SipRequest;
      assert.equal(reply.uri.toString(), `sip:${alice}`);
      assert.match(reply.headers.get('Route') ?? '', new RegExp(`127\\.0\\.0\\.1:${String(proxy.port)};lr`));
      const { url } = JSON.parse(reply.body.toString('utf8')) as { url: string };
      assert.equal(url, `https://history.serve.test/webrtcgateway/messages/history/${alice}`);
      const body = cpim({
        from: `bob@${DOMAIN}`,
        to: alice,
        messageId: 'after',
        contentType: 'text/plain',
        content: 'hi',
      });
      assert.equal((await inject(kamailio, { to: alice, contentType: 'message/cpim', body })).status, 200);
      const store = await openStore(server.storeUri);
      try {
        const entries = (await store.journal.latest(alice, 10)).entries;
        // alice is a subscriber in missive's store (which the proxy authenticates from): her journal keeps
        // everything from the first message on, before any token request created her storage account.
        assert.equal(entries.length, 2);
        assert.deepEqual(
          entries.map((entry) => entry.content),
          ['before', 'hi'],
        );
      } finally {
        await store.close();
      }
    } finally {
      await kamailio.stop();
      await proxy.stop();
      await server.stop();
    }
  });
});
