/**
 * Standalone, a MESSAGE from a local user to another domain: proxied there, and once that domain answers 2xx
 * the sender's copy is stored (before the sender gets the 2xx), synced and replicated to the sender's other
 * devices. A failure there stores nothing. Real UDP sockets; `remote` stands for the other domain's proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SipMessage } from '../../src/sip/message/message.js';
import { Agent } from '../support/sip-agent.js';
import type { ConformanceBackend } from '../store/backends.js';
import {
  type AppFixture,
  ANSWER_MS,
  answerMessages,
  BACKENDS,
  cpim,
  DOMAIN,
  PASSWORD,
  sendAuthenticated,
  startApp,
} from './app-fixture.js';

const A = `alice@${DOMAIN}`;
const C = `carol@${DOMAIN}`;
const REMOTE = 'dave@127.0.0.1';

const isMessage = (message: SipMessage): boolean =>
  message.kind === 'request' && message.method === 'MESSAGE';

async function device(app: AppFixture, user: string): Promise<Agent> {
  const agent = await app.agent(user);
  answerMessages(agent);
  assert.equal((await agent.register()).status, 200);
  return agent;
}

for (const { name, open } of BACKENDS) {
  describe(`SIP messaging, standalone, to another domain (${name})`, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    async function withRemote(run: (app: AppFixture, remote: Agent) => Promise<void>): Promise<void> {
      const app = await startApp(backend, 'standalone');
      const remote = await new Agent('dave', 'remote.test', PASSWORD, {
        transport: 'udp',
        host: '127.0.0.1',
        port: app.port,
      }).start();
      try {
        await run(app, remote);
      } finally {
        await remote.stop();
        await app.close();
      }
    }

    function message(remote: Agent, messageId: string): { to: string; contentType: string; body: string } {
      const to = `${REMOTE}:${String(remote.port)}`;
      const body = cpim({ from: A, to: REMOTE, messageId, contentType: 'text/plain', content: 'hi dave' });
      return { to, contentType: 'message/cpim', body };
    }

    it('the sender’s copy is stored once the other domain answers 2xx, then synced and replicated', async () => {
      await withRemote(async (app, remote) => {
        const alice1 = await device(app, 'alice');
        const alice2 = await device(app, 'alice');
        const sending = sendAuthenticated(alice1, message(remote, 'r1'));
        const atRemote = await remote.incoming('MESSAGE', ANSWER_MS);
        assert.ok(atRemote.message.body.toString('utf8').includes('hi dave'));
        // A later MESSAGE (carol's to bob), stored and answered: a copy of r1 written on arrival would be
        // there by now.
        const carol = await device(app, 'carol');
        const later = await sendAuthenticated(carol, {
          to: `bob@${DOMAIN}`,
          contentType: 'message/cpim',
          body: cpim({
            from: C,
            to: `bob@${DOMAIN}`,
            messageId: 'later',
            contentType: 'text/plain',
            content: 'x',
          }),
        });
        assert.equal(later.status, 200);
        assert.ok((await app.store.journal.get(C, 'later')) !== undefined);
        assert.equal(await app.store.journal.get(A, 'r1'), undefined, 'nothing stored before the 2xx');
        await remote.answer(atRemote, 200);
        assert.equal((await sending).status, 200);

        const copy = await app.store.journal.get(A, 'r1');
        assert.ok(copy !== undefined, 'the sender’s copy');
        assert.equal(copy.direction, 'outgoing');
        assert.equal(copy.contact, REMOTE);
        assert.equal(copy.state, 'accepted');
        assert.equal(app.eventsFor('sync', A).length, 1);
        assert.equal(app.eventsFor('message', REMOTE).length, 0, 'no recipient copy here');
        const replica = (await alice2.incoming('MESSAGE', ANSWER_MS)).message;
        assert.equal(replica.headers.get('X-Replicated-Message'), 'yes');
        // The replicas went out together; whatever the server sent alice1 came before its OPTIONS answer.
        await alice1.roundTrip();
        assert.equal(alice1.has(isMessage), false, 'the sending device gets no copy');
      });
    });

    it('a failure in the other domain is the answer, and nothing is stored', async () => {
      await withRemote(async (app, remote) => {
        const alice1 = await device(app, 'alice');
        const alice2 = await device(app, 'alice');
        const sending = sendAuthenticated(alice1, message(remote, 'r2'));
        await remote.answer(await remote.incoming('MESSAGE', ANSWER_MS), 404);
        assert.equal((await sending).status, 404);
        assert.equal(await app.store.journal.get(A, 'r2'), undefined);
        assert.equal(app.eventsFor('sync', A).length, 0);
        // A replica would have gone out before the final answer; it would have reached alice2 before this.
        await alice2.roundTrip();
        assert.equal(alice2.has(isMessage), false, 'no replica of an undelivered MESSAGE');
      });
    });
  });
}
