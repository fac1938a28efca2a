/**
 * Standalone mode (missive is the proxy): devices register and authenticate; the application takes a branch
 * of each MESSAGE's fork. Storage exists for every subscriber, the sender is the authenticated user, a
 * MESSAGE is replicated to the sender's other devices, and the server's own MESSAGEs go to the registered
 * devices. Real UDP sockets, SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { generateKey } from 'openpgp';
import type { MessagingEvent } from '../../src/messaging/events.js';
import { KEY_EXCHANGE } from '../../src/messaging/deliveries.js';
import type { SipRequest } from '../../src/sip/message/message.js';
import type { Agent } from '../support/sip-agent.js';
import type { ConformanceBackend } from '../store/backends.js';
import {
  type AppFixture,
  ANSWER_MS,
  answerMessages,
  BACKENDS,
  cpim,
  DOMAIN,
  messageRequest,
  sendAuthenticated,
  startApp,
  transact,
  unreadCpim,
} from './app-fixture.js';
import { sleep } from '../support/wait.js';

const A = `alice@${DOMAIN}`;
const B = `bob@${DOMAIN}`;
const C = `carol@${DOMAIN}`;

function payloadOf(event: MessagingEvent | undefined): Record<string, unknown> {
  assert.ok(event !== undefined, 'an event');
  return (event.kind === 'push' ? event.push : event.payload) as unknown as Record<string, unknown>;
}

/**
 * No MESSAGE waits at `agent` once an OPTIONS round trip has come back: the positive sign that a copy the
 * server sent before answering it would have arrived.
 */
async function assertNoMessage(
  agent: Agent,
  what: string,
  match: (message: SipRequest) => boolean = () => true,
): Promise<void> {
  await agent.roundTrip();
  assert.ok(!agent.has((m) => m.kind === 'request' && m.method === 'MESSAGE' && match(m)), what);
}

async function device(app: AppFixture, user: string): Promise<Agent> {
  const agent = await app.agent(user);
  answerMessages(agent);
  const registered = await agent.register();
  assert.equal(registered.status, 200);
  return agent;
}

async function keyPair(): Promise<{ publicKey: string; privateKey: string }> {
  const { publicKey, privateKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Alice', email: A }],
    format: 'armored',
  });
  return { publicKey, privateKey };
}

for (const { name, open } of BACKENDS) {
  describe(`SIP messaging, standalone (${name})`, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    async function withApp(run: (app: AppFixture) => Promise<void>): Promise<void> {
      const app = await startApp(backend, 'standalone');
      try {
        await run(app);
      } finally {
        await app.close();
      }
    }

    it('stores both copies, delivers to the recipient, replicates to the sender’s other device only', async () => {
      await withApp(async (app) => {
        const alice1 = await device(app, 'alice');
        const alice2 = await device(app, 'alice');
        const bob = await device(app, 'bob');
        assert.equal(
          await app.store.storageAccounts.get(A),
          undefined,
          'no storage account before first use',
        );
        const body = cpim({
          from: A,
          to: B,
          messageId: 's1',
          disposition: 'positive-delivery, display',
          contentType: 'text/plain',
          content: 'hello',
        });
        const response = await sendAuthenticated(alice1, { to: B, contentType: 'message/cpim', body });
        assert.equal(response.status, 200);
        const atBob = (await bob.incoming('MESSAGE', ANSWER_MS)).message;
        assert.ok(atBob.body.toString('utf8').includes('hello'));
        const copy = (await alice2.incoming('MESSAGE', ANSWER_MS)).message;
        assert.equal(copy.headers.get('X-Replicated-Message'), 'yes');
        assert.match(copy.headers.get('To') ?? '', /<sip:bob@example\.test>/);
        assert.equal(copy.uri.toString(), `sip:alice@127.0.0.1:${String(alice2.port)}`);
        assert.equal(copy.body.toString('utf8'), body);
        await assertNoMessage(alice1, 'the sending device gets no copy');

        assert.ok((await app.store.storageAccounts.get(A)) !== undefined, 'created on first use');
        assert.ok((await app.store.storageAccounts.get(B)) !== undefined);
        assert.equal((await app.store.journal.get(A, 's1'))?.state, 'accepted');
        assert.equal((await app.store.journal.get(B, 's1'))?.state, 'received');
        assert.equal(app.eventsFor('sync', A).length, 1);
        assert.equal(app.eventsFor('message', B).length, 1);
        assert.equal(payloadOf(app.eventsFor('push', B)[0]).badge, 1);

        // The same MESSAGE again (a new transaction, same Message-ID): stored once, no events, no copies.
        const events = app.events.length;
        const again = await sendAuthenticated(alice1, { to: B, contentType: 'message/cpim', body });
        assert.equal(again.status, 200);
        await bob.incoming('MESSAGE', ANSWER_MS);
        assert.equal(app.events.length, events);
        await assertNoMessage(alice2, 'no replication of a duplicate');
        assert.equal(await app.store.journal.count(B), 1);
      });
    });

    it('a replicated copy keeps the Content-Encoding of the original', async () => {
      await withApp(async (app) => {
        const alice1 = await device(app, 'alice');
        const alice2 = await device(app, 'alice');
        const body = deflateSync(Buffer.from('zipped', 'utf8'));
        const response = await sendAuthenticated(alice1, {
          to: B,
          contentType: 'text/plain',
          body,
          extra: [['Content-Encoding', 'deflate']],
        });
        assert.equal(response.status, 200);
        const copy = (await alice2.incoming('MESSAGE', ANSWER_MS)).message;
        assert.equal(copy.headers.get('Content-Encoding'), 'deflate');
        assert.equal(inflateSync(copy.body).toString('utf8'), 'zipped');
        assert.equal((await app.store.journal.latest(B, 1)).entries[0]?.content, 'zipped');
      });
    });

    it('stores for a recipient with no device online; the badge counts unread messages', async () => {
      await withApp(async (app) => {
        const alice = await device(app, 'alice');
        for (const id of ['o1', 'o2']) {
          const body = unreadCpim(A, B, id);
          assert.equal(
            (await sendAuthenticated(alice, { to: B, contentType: 'message/cpim', body })).status,
            200,
          );
        }
        assert.equal(await app.store.journal.count(B), 2);
        assert.deepEqual(
          app.eventsFor('push', B).map((event) => payloadOf(event).badge),
          [1, 2],
        );
      });
    });

    it('the sender is the authenticated user, not the CPIM From (sylk spec §8.33)', async () => {
      await withApp(async (app) => {
        const alice = await device(app, 'alice');
        const body = cpim({ from: C, to: B, messageId: 'sp1', contentType: 'text/plain', content: 'spoof' });
        assert.equal(
          (await sendAuthenticated(alice, { to: B, contentType: 'message/cpim', body })).status,
          200,
        );
        assert.equal((await app.store.journal.get(B, 'sp1'))?.contact, A);
        assert.equal((payloadOf(app.eventsFor('message', B)[0]).sender as { uri: string }).uri, A);
        assert.equal(await app.store.journal.count(C), 0);
      });
    });

    it('41: a public key is checked, stored as the sender’s, and recorded for devices that sync later', async () => {
      await withApp(async (app) => {
        const alice = await device(app, 'alice');
        const { publicKey, privateKey } = await keyPair();
        // The CPIM From claims carol: the key is still alice's.
        const body = cpim({
          from: C,
          to: B,
          messageId: 'k1',
          contentType: 'text/pgp-public-key',
          content: publicKey,
        });
        assert.equal(
          (await sendAuthenticated(alice, { to: B, contentType: 'message/cpim', body })).status,
          200,
        );
        assert.ok((await app.store.publicKeys.get(A))?.key.includes('BEGIN PGP PUBLIC KEY BLOCK'));
        assert.equal(await app.store.publicKeys.get(C), undefined);
        const record = await app.store.journal.get(B, 'k1');
        assert.equal(record?.contentType, KEY_EXCHANGE);
        const content = JSON.parse(record.content) as Record<string, unknown>;
        assert.equal(content.key_type, 'public');
        assert.equal(content.owner, A);
        assert.match(String(content.fingerprint), /^[0-9a-f]{40,64}$/);
        const aliceEntries = (await app.store.journal.latest(A, 10)).entries;
        assert.ok(aliceEntries.every((entry) => entry.contentType !== 'text/pgp-public-key'));
        assert.equal(payloadOf(app.eventsFor('message', B)[0]).content_type, 'text/pgp-public-key');
        assert.equal(app.eventsFor('push', B).length, 0, 'no push for a key');

        // A newer key, then a late copy of the first MESSAGE: the newer key stays.
        const newer = (await keyPair()).publicKey;
        const second = cpim({
          from: A,
          to: B,
          messageId: 'k4',
          contentType: 'text/pgp-public-key',
          content: newer,
        });
        assert.equal(
          (await sendAuthenticated(alice, { to: B, contentType: 'message/cpim', body: second })).status,
          200,
        );
        const newerStored = (await app.store.publicKeys.get(A))?.key;
        assert.equal(
          (await sendAuthenticated(alice, { to: B, contentType: 'message/cpim', body })).status,
          200,
        );
        assert.equal((await app.store.publicKeys.get(A))?.key, newerStored);
        assert.equal(app.eventsFor('message', B).length, 2, 'no event for the late copy');

        // A private key sent as a public one, and garbage: refused, the stored key unchanged.
        const stored = (await app.store.publicKeys.get(A))?.key;
        for (const [id, bad] of [
          ['k2', privateKey],
          ['k3', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----'],
        ] as const) {
          const wrapped = cpim({
            from: A,
            to: B,
            messageId: id,
            contentType: 'text/pgp-public-key',
            content: bad,
          });
          const refused = await sendAuthenticated(alice, {
            to: B,
            contentType: 'message/cpim',
            body: wrapped,
          });
          assert.equal(refused.status, 400);
          assert.equal(await app.store.journal.get(B, id), undefined);
        }
        assert.equal((await app.store.publicKeys.get(A))?.key, stored);
      });
    });

    it('42: a private key goes only to the account’s own devices, and is never journaled as content', async () => {
      await withApp(async (app) => {
        const alice1 = await device(app, 'alice');
        const alice2 = await device(app, 'alice');
        const { privateKey } = await keyPair();
        const body = cpim({
          from: A,
          to: A,
          messageId: 'pk1',
          contentType: 'text/pgp-private-key',
          content: privateKey,
        });
        assert.equal(
          (await sendAuthenticated(alice1, { to: A, contentType: 'message/cpim', body })).status,
          200,
        );
        assert.ok(
          (await alice2.incoming('MESSAGE', ANSWER_MS)).message.body.toString('utf8').includes('PRIVATE KEY'),
        );
        const entries = (await app.store.journal.latest(A, 10)).entries;
        assert.equal(entries.length, 1);
        assert.equal(entries[0]?.contentType, KEY_EXCHANGE);
        assert.ok(!entries.some((entry) => entry.content.includes('PRIVATE KEY')));
        assert.deepEqual(JSON.parse(entries[0].content), { key_type: 'private', owner: A });
        const live = payloadOf(app.eventsFor('message', A)[0]);
        assert.equal(live.content_type, 'text/pgp-private-key');
        assert.ok(String(live.content).includes('PRIVATE KEY'));
        // alice1 gets the proxy's fork of its own MESSAGE to alice, but no replicated copy.
        assert.equal(
          (await alice1.incoming('MESSAGE', ANSWER_MS)).message.headers.get('X-Replicated-Message'),
          undefined,
        );
        await assertNoMessage(alice1, 'no replicated copy of a message to oneself');

        const toBob = cpim({
          from: A,
          to: B,
          messageId: 'pk2',
          contentType: 'text/pgp-private-key',
          content: privateKey,
        });
        const refused = await sendAuthenticated(alice1, { to: B, contentType: 'message/cpim', body: toBob });
        assert.equal(refused.status, 403);
        assert.equal(await app.store.journal.count(B), 0);
      });
    });

    it('X-Sylk-App and X-Sylk-From-Sip from an untrusted source change nothing: it must authenticate', async () => {
      await withApp(async (app) => {
        const mallory = await app.agent('alice');
        const response = await transact(
          mallory,
          messageRequest(mallory, {
            to: B,
            contentType: 'text/plain',
            body: 'forged',
            extra: [
              ['X-Sylk-App', 'webrtcgateway'],
              ['X-Sylk-From-Sip', 'yes'],
            ],
          }),
        );
        assert.equal(response.status, 407);
        assert.equal(await app.store.journal.count(A), 0);
        assert.equal(await app.store.journal.count(B), 0);
        assert.equal(app.events.length, 0);
      });
    });

    it('47: the token reply goes to every registered device of the requester', async () => {
      await withApp(async (app) => {
        const alice1 = await device(app, 'alice');
        const alice2 = await device(app, 'alice');
        const response = await sendAuthenticated(alice1, {
          to: A,
          contentType: 'application/sylk-api-token',
          body: 'x',
        });
        assert.equal(response.status, 200);
        const tokens: string[] = [];
        for (const agent of [alice1, alice2]) {
          const reply = await agent.next(
            (m) =>
              m.kind === 'request' &&
              m.headers.get('Content-Type') === 'application/sylk-api-token' &&
              m.headers.get('X-Sylk-To-Sip') === 'yes',
            ANSWER_MS,
          );
          const request = reply.message as SipRequest;
          assert.equal(request.headers.get('X-Sylk-To-Sip'), 'yes');
          tokens.push((JSON.parse(request.body.toString('utf8')) as { token: string }).token);
        }
        assert.equal(tokens[0], tokens[1]);
        // The request itself is for the server: the proxy did not fork it to the devices.
        for (const agent of [alice1, alice2])
          await assertNoMessage(
            agent,
            'the proxy forked the token request to a device',
            (m) => m.headers.get('X-Sylk-To-Sip') === undefined,
          );
        assert.ok(await app.store.storageAccounts.verifyToken(A, tokens[0] ?? '', Date.now()));
        await sleep(0);
      });
    });
  });
}
