/**
 * Sylk spec §9 acceptance tests of the SIP side, behind-proxy mode (MESSAGEs injected by a trusted peer with
 * X-Sylk-App, the server's own MESSAGEs going to the proxy stub), over real UDP sockets, on SQLite and on
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { MessagingEvent } from '../../src/messaging/events.js';
import type { ConformanceBackend } from '../store/backends.js';
import {
  type AppFixture,
  BACKENDS,
  cpim,
  DOMAIN,
  imdnXml,
  inject,
  messageRequest,
  ownMessage,
  startApp,
  transact,
} from './app-fixture.js';
import { sleep } from '../support/wait.js';

const A = `alice@${DOMAIN}`;
const B = `bob@${DOMAIN}`;
const C = `carol@${DOMAIN}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function payloadOf(event: MessagingEvent | undefined): Record<string, unknown> {
  assert.ok(event !== undefined, 'an event');
  return (event.kind === 'push' ? event.push : event.payload) as unknown as Record<string, unknown>;
}

for (const { name, open } of BACKENDS) {
  describe(`SIP messaging acceptance (behind a proxy, ${name})`, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    async function withApp(run: (app: AppFixture) => Promise<void>): Promise<void> {
      const app = await startApp(backend, 'behind-proxy');
      try {
        // Behind a proxy storage exists once registration created it (sylk spec §3.8): alice, bob and carol registered.
        for (const account of [A, B, C]) await app.store.storageAccounts.touch(account, Date.now());
        await run(app);
      } finally {
        await app.close();
      }
    }

    const m2 = (extra: Partial<Parameters<typeof cpim>[0]> = {}): string =>
      cpim({
        from: A,
        to: B,
        messageId: 'm2',
        dateTime: '2024-05-01T12:00:00+02:00',
        disposition: 'positive-delivery, display',
        contentType: 'text/plain',
        content: 'yo',
        ...extra,
      });

    it('21: a CPIM message is stored for the receiver only, with its message event and push', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const response = await inject(alice, { to: B, contentType: 'message/cpim', body: m2() });
        assert.equal(response.status, 200);
        const entry = await app.store.journal.get(B, 'm2');
        assert.equal(entry?.direction, 'incoming');
        assert.equal(entry.state, 'received');
        assert.equal(entry.contact, A);
        assert.equal(entry.content, 'yo');
        assert.equal(await app.store.journal.count(A), 0);
        const [event] = app.eventsFor('message', B);
        const payload = payloadOf(event);
        assert.deepEqual(payload.sender, { uri: A, display_name: null });
        assert.equal(payload.message_id, 'm2');
        assert.deepEqual(payload.disposition_notification, ['positive-delivery', 'display']);
        assert.equal(Date.parse(String(payload.timestamp)), Date.parse('2024-05-01T10:00:00Z'));
        assert.equal(payload.content, 'yo');
        assert.equal(payload.event, 'message');
        const [push] = app.eventsFor('push', B);
        assert.equal(payloadOf(push).badge, 1);
        assert.equal(payloadOf(push).from, A);
        assert.equal(app.eventsFor('sync', A).length, 0);
      });
    });

    it('22: the same message again is answered 200, stored once, and emits nothing (sylk spec §8.20)', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        assert.equal((await inject(alice, { to: B, contentType: 'message/cpim', body: m2() })).status, 200);
        const before = app.events.length;
        assert.equal((await inject(alice, { to: B, contentType: 'message/cpim', body: m2() })).status, 200);
        assert.equal(await app.store.journal.count(B), 1);
        assert.equal(app.events.length, before, 'no event, no push for a duplicate');
      });
    });

    it('23: a plain text/plain message gets a UUID, no disposition, timestamp now', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const sent = Date.now();
        assert.equal((await inject(alice, { to: B, contentType: 'text/plain', body: 'plain' })).status, 200);
        const payload = payloadOf(app.eventsFor('message', B)[0]);
        assert.match(String(payload.message_id), UUID);
        assert.equal(payload.disposition_notification, null);
        assert.ok(Math.abs(Date.parse(String(payload.timestamp)) - sent) < 5000);
        const page = await app.store.journal.latest(B, 10);
        assert.equal(page.entries[0]?.content, 'plain');
      });
    });

    it('24: empty body, no Content-Type, CPIM without a blank line get 400; an unknown application 404', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        assert.equal((await inject(alice, { to: B, contentType: 'text/plain', body: '' })).status, 400);
        const noType = messageRequest(alice, {
          to: B,
          contentType: 'text/plain',
          body: 'x',
          extra: [['X-Sylk-App', 'webrtcgateway']],
          omit: ['Content-Type'],
        });
        assert.equal((await transact(alice, noType)).status, 400);
        const noBlank =
          'From: <sip:alice@example.test>\r\nTo: <sip:bob@example.test>\r\nContent-Type: text/plain';
        assert.equal(
          (await inject(alice, { to: B, contentType: 'message/cpim', body: noBlank })).status,
          400,
        );
        const other = messageRequest(alice, {
          to: B,
          contentType: 'text/plain',
          body: 'x',
          extra: [['X-Sylk-App', 'conference']],
        });
        assert.equal((await transact(alice, other)).status, 404);
        assert.equal(await app.store.journal.count(B), 0);
        assert.equal(app.events.length, 0);
      });
    });

    it('a deflate bomb gets 413, a body that is neither UTF-8 nor deflate 400; nothing stored', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const bomb = deflateSync(Buffer.alloc(4 * 1024 * 1024));
        const big = await inject(alice, {
          to: B,
          contentType: 'text/plain',
          body: bomb,
          extra: [['Content-Encoding', 'deflate']],
        });
        assert.equal(big.status, 413);
        const latin1 = await inject(alice, {
          to: B,
          contentType: 'text/plain',
          body: Buffer.from([0xe9, 0x74, 0xe9]),
        });
        assert.equal(latin1.status, 400);
        assert.equal(await app.store.journal.count(B), 0);
        assert.equal(app.events.length, 0);
      });
    });

    it('25: a message to an account without storage is answered 200 and stores nothing', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const to = `nobody@${DOMAIN}`;
        const response = await inject(alice, {
          to,
          contentType: 'message/cpim',
          body: m2({ to }),
        });
        assert.equal(response.status, 200);
        assert.equal(await app.store.journal.count(to), 0);
        assert.equal(app.events.length, 0);
        assert.equal(
          await app.store.storageAccounts.get(to),
          undefined,
          'behind a proxy, no account is created',
        );
      });
    });

    it('26: X-Sylk-From-Sip keeps the sender copy (accepted) with its sync event, and the receiver copy', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const response = await inject(alice, {
          to: B,
          contentType: 'message/cpim',
          body: m2(),
          extra: [['X-Sylk-From-Sip', 'yes']],
        });
        assert.equal(response.status, 200);
        const own = await app.store.journal.get(A, 'm2');
        assert.equal(own?.direction, 'outgoing');
        assert.equal(own.state, 'accepted');
        assert.equal(own.contact, B);
        const sync = payloadOf(app.eventsFor('sync', A)[0]);
        assert.equal(sync.type, 'message');
        assert.equal(sync.action, 'add');
        const content = sync.content as Record<string, unknown>;
        assert.equal(content.transaction, '1');
        assert.equal(content.server_generated, true);
        assert.equal(content.uri, B);
        assert.equal(content.sylkrtc, 'account-message');
        assert.equal((await app.store.journal.get(B, 'm2'))?.direction, 'incoming');
        assert.equal(app.eventsFor('message', B).length, 1);
      });
    });

    it('the sender is the proxy-asserted SIP From, not the CPIM From (sylk spec §8.33), with X-Sylk-From-Sip too', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        // The CPIM From names carol; the trusted proxy asserts alice (SIP From) and says she is a SIP device.
        const body = cpim({ from: C, to: B, messageId: 'sp2', contentType: 'text/plain', content: 'spoof' });
        const response = await inject(alice, {
          to: B,
          contentType: 'message/cpim',
          body,
          extra: [['X-Sylk-From-Sip', 'yes']],
        });
        assert.equal(response.status, 200);
        const theirs = await app.store.journal.get(B, 'sp2');
        assert.equal(theirs?.direction, 'incoming');
        assert.equal(theirs.contact, A, "the receiver's record names alice");
        const own = await app.store.journal.get(A, 'sp2');
        assert.equal(own?.direction, 'outgoing', "the sender copy is alice's");
        assert.equal(own.contact, B);
        assert.equal(await app.store.journal.count(C), 0, 'nothing stored for carol');
        assert.deepEqual(payloadOf(app.eventsFor('message', B)[0]).sender, { uri: A, display_name: null });
        assert.equal(payloadOf(app.eventsFor('push', B)[0]).from, A);
        assert.equal(app.eventsFor('sync', A).length, 1, "alice's devices see her copy");
        assert.equal(app.eventsFor('sync', C).length, 0, "carol's devices see nothing");
      });
    });

    it('27: is-composing, plain or CPIM, is answered 200 and neither stored nor announced', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const doc =
          '<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>';
        const plain = await inject(alice, {
          to: B,
          contentType: 'application/im-iscomposing+xml',
          body: doc,
        });
        assert.equal(plain.status, 200);
        const wrapped = await inject(alice, {
          to: B,
          contentType: 'message/cpim',
          body: cpim({
            from: A,
            to: B,
            messageId: 'c1',
            contentType: 'application/im-iscomposing+xml',
            content: doc,
          }),
          extra: [['X-Sylk-From-Sip', 'yes']],
        });
        assert.equal(wrapped.status, 200);
        assert.equal(await app.store.journal.count(B), 0);
        assert.equal(await app.store.journal.count(A), 0);
        assert.equal(app.events.length, 0);
      });
    });

    it('28: a deflated body is inflated and stored as text', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const response = await inject(alice, {
          to: B,
          contentType: 'text/plain',
          body: deflateSync(Buffer.from('héllo', 'utf8')),
          extra: [['Content-Encoding', 'deflate']],
        });
        assert.equal(response.status, 200);
        assert.equal((await app.store.journal.latest(B, 1)).entries[0]?.content, 'héllo');
        assert.equal(payloadOf(app.eventsFor('message', B)[0]).content, 'héllo');
      });
    });

    it('29/30: IMDNs move the original forward, journal message/imdn, and emit disposition events', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const bob = await app.agent('bob');
        // m1 from alice to bob, sent by a native client: both copies.
        const m1 = cpim({
          from: A,
          to: B,
          messageId: 'm1',
          disposition: 'positive-delivery, display',
          contentType: 'text/plain',
          content: 'hi',
        });
        const extra = [['X-Sylk-From-Sip', 'yes']] as const;
        assert.equal(
          (await inject(alice, { to: B, contentType: 'message/cpim', body: m1, extra })).status,
          200,
        );
        assert.equal((await app.store.journal.unread(B)).total, 1);
        const delivered = cpim({
          from: B,
          to: A,
          messageId: 'n1',
          contentType: 'message/imdn+xml',
          content: imdnXml('m1', 'delivered'),
        });
        assert.equal(
          (await inject(bob, { to: A, contentType: 'message/cpim', body: delivered })).status,
          200,
        );
        const afterDelivered = await app.store.journal.get(A, 'm1');
        assert.equal(afterDelivered?.state, 'delivered');
        assert.deepEqual(afterDelivered.disposition, ['display']);
        const event = payloadOf(app.eventsFor('disposition-notification', A)[0]);
        assert.equal(event.state, 'delivered');
        assert.equal(event.code, 200);
        assert.equal(event.reason, '');
        assert.equal(event.message_id, 'm1');
        const record = await app.store.journal.get(A, 'n1');
        assert.equal(record?.contentType, 'message/imdn');
        assert.equal(record.contact, B);
        const content = JSON.parse(record.content) as Record<string, unknown>;
        assert.equal(content.message_id, 'm1');
        assert.equal(content.state, 'delivered');
        assert.equal(app.eventsFor('push', A).length, 0, 'no push for an IMDN');

        const displayed = cpim({
          from: B,
          to: A,
          messageId: 'n2',
          contentType: 'message/imdn+xml',
          content: imdnXml('m1', 'displayed'),
        });
        assert.equal(
          (await inject(bob, { to: A, contentType: 'message/cpim', body: displayed })).status,
          200,
        );
        const final = await app.store.journal.get(A, 'm1');
        assert.equal(final?.state, 'displayed');
        assert.deepEqual(final.disposition, []);
        const bobs = await app.store.journal.get(B, 'm1');
        assert.equal(bobs?.state, 'received');
        assert.deepEqual(bobs.disposition, []);
        assert.equal((await app.store.journal.unread(B)).total, 0);
        // A late `delivered` does not move displayed back (forward only).
        const late = cpim({
          from: B,
          to: A,
          messageId: 'n3',
          contentType: 'message/imdn+xml',
          content: imdnXml('m1', 'delivered'),
        });
        assert.equal((await inject(bob, { to: A, contentType: 'message/cpim', body: late })).status, 200);
        assert.equal((await app.store.journal.get(A, 'm1'))?.state, 'displayed');
        // The same IMDN again: nothing new.
        const count = app.eventsFor('disposition-notification', A).length;
        assert.equal((await inject(bob, { to: A, contentType: 'message/cpim', body: late })).status, 200);
        assert.equal(app.eventsFor('disposition-notification', A).length, count);
      });
    });

    it('51: SIP conversation-read clears dispositions, journals it, syncs, and sends From A To A', async () => {
      await withApp(async (app) => {
        const bob = await app.agent('bob');
        const alice = await app.agent('alice');
        const toAlice = cpim({
          from: B,
          to: A,
          messageId: 'u1',
          disposition: 'display',
          contentType: 'text/plain',
          content: 'unread',
        });
        await inject(bob, { to: A, contentType: 'message/cpim', body: toAlice });
        assert.equal((await app.store.journal.unread(A)).total, 1);
        const response = await inject(alice, {
          to: A,
          contentType: 'application/sylk-api-conversation-read',
          body: JSON.stringify({ contact: B }),
        });
        assert.equal(response.status, 200);
        assert.deepEqual((await app.store.journal.get(A, 'u1'))?.disposition, []);
        assert.equal((await app.store.journal.unread(A)).total, 0);
        const entries = (await app.store.journal.latest(A, 10)).entries;
        const record = entries.find((entry) => entry.contentType === 'application/sylk-conversation-read');
        assert.equal(record?.content, B);
        assert.equal(record.direction, '');
        assert.equal(record.state, null);
        const sync = payloadOf(app.eventsFor('sync', A)[0]);
        assert.deepEqual([sync.type, sync.action, sync.content], ['conversation', 'read', { contact: B }]);
        assert.ok(app.proxy !== undefined);
        const sent = await ownMessage(app.proxy, 'application/sylk-conversation-read');
        assert.match(sent.headers.get('From') ?? '', /<sip:alice@example\.test>/);
        assert.match(sent.headers.get('To') ?? '', /<sip:alice@example\.test>/);
        assert.equal(sent.headers.get('X-Sylk-To-Sip'), 'yes');
        assert.deepEqual(JSON.parse(sent.body.toString('utf8')), { contact: B });
        assert.equal(sent.uri.toString(), 'sip:alice@example.test');
        assert.match(sent.headers.get('Route') ?? '', /;lr/);
      });
    });

    it('37/52: SIP message-remove unsends: both copies go, records journaled, syncs, MESSAGE From B To A', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const m1 = cpim({ from: A, to: B, messageId: 'm1', contentType: 'text/plain', content: 'oops' });
        const extra = [['X-Sylk-From-Sip', 'yes']] as const;
        await inject(alice, { to: B, contentType: 'message/cpim', body: m1, extra });
        assert.ok((await app.store.journal.get(B, 'm1')) !== undefined);
        const response = await inject(alice, {
          to: B,
          contentType: 'application/sylk-api-message-remove',
          body: 'm1',
        });
        assert.equal(response.status, 200);
        assert.equal(await app.store.journal.get(A, 'm1'), undefined);
        assert.equal(await app.store.journal.get(B, 'm1'), undefined);
        const ownRecord = (await app.store.journal.latest(A, 10)).entries.find(
          (entry) => entry.contentType === 'application/sylk-message-remove',
        );
        assert.deepEqual(JSON.parse(ownRecord?.content ?? '{}'), {
          contact: B,
          message_id: 'm1',
          direction: 'outgoing',
        });
        const theirRecord = (await app.store.journal.latest(B, 10)).entries.find(
          (entry) => entry.contentType === 'application/sylk-message-remove',
        );
        assert.deepEqual(JSON.parse(theirRecord?.content ?? '{}'), {
          contact: A,
          message_id: 'm1',
          direction: 'incoming',
        });
        const aliceSync = app
          .eventsFor('sync', A)
          .map(payloadOf)
          .find((p) => p.action === 'remove');
        assert.deepEqual(aliceSync?.content, { contact: B, message_id: 'm1', direction: 'outgoing' });
        const bobSync = app
          .eventsFor('sync', B)
          .map(payloadOf)
          .find((p) => p.action === 'remove');
        assert.deepEqual(bobSync?.content, { contact: A, message_id: 'm1', direction: 'incoming' });
        assert.ok(app.proxy !== undefined);
        const sent = await ownMessage(app.proxy, 'application/sylk-message-remove');
        assert.match(sent.headers.get('From') ?? '', /<sip:bob@example\.test>/);
        assert.match(sent.headers.get('To') ?? '', /<sip:alice@example\.test>/);
        assert.equal(sent.headers.get('X-Sylk-To-Sip'), 'yes');
      });
    });

    it('38: one cannot unsend another sender’s message (sylk spec §8.34)', async () => {
      await withApp(async (app) => {
        const carol = await app.agent('carol');
        const alice = await app.agent('alice');
        const m9 = cpim({ from: C, to: B, messageId: 'm9', contentType: 'text/plain', content: 'carol' });
        await inject(carol, { to: B, contentType: 'message/cpim', body: m9 });
        // Alice has an entry with the same id of her own (so her side succeeds), yet bob's copy is carol's.
        const own = cpim({ from: A, to: B, messageId: 'm9', contentType: 'text/plain', content: 'alice' });
        await app.store.journal.append(
          A,
          {
            messageId: 'm9',
            contact: B,
            direction: 'outgoing',
            contentType: 'text/plain',
            content: own,
            disposition: null,
            state: 'accepted',
            timestamp: '2024-05-01T10:00:00+00:00',
          },
          Date.now(),
        );
        const response = await inject(alice, {
          to: B,
          contentType: 'application/sylk-api-message-remove',
          body: 'm9',
        });
        assert.equal(response.status, 200);
        assert.equal((await app.store.journal.get(B, 'm9'))?.contact, C, "carol's message stays");
        assert.equal(app.eventsFor('sync', B).length, 0);
      });
    });

    it('39/53: SIP conversation-remove removes the conversation and journals the given timestamp', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const extra = [['X-Sylk-From-Sip', 'yes']] as const;
        for (const id of ['r1', 'r2']) {
          const body = cpim({ from: A, to: B, messageId: id, contentType: 'text/plain', content: id });
          await inject(alice, { to: B, contentType: 'message/cpim', body, extra });
        }
        const response = await inject(alice, {
          to: A,
          contentType: 'application/sylk-api-conversation-remove',
          body: JSON.stringify({ contact: B, timestamp: '2024-05-02T00:00:00+00:00' }),
        });
        assert.equal(response.status, 200);
        const entries = (await app.store.journal.latest(A, 10)).entries;
        assert.deepEqual(
          entries.map((entry) => entry.contentType),
          ['application/sylk-conversation-remove'],
        );
        assert.equal(entries[0]?.content, B);
        assert.equal(Date.parse(entries[0].timestamp), Date.parse('2024-05-02T00:00:00Z'));
        const sync = payloadOf(app.eventsFor('sync', A).at(-1));
        assert.equal(sync.action, 'remove');
        const content = sync.content as Record<string, unknown>;
        assert.equal(content.contact, B);
        assert.equal(Date.parse(String(content.timestamp)), Date.parse('2024-05-02T00:00:00Z'));
        assert.ok(app.proxy !== undefined);
        const sent = await ownMessage(app.proxy, 'application/sylk-conversation-remove');
        assert.match(sent.headers.get('To') ?? '', /<sip:alice@example\.test>/);
      });
    });

    it('47: api-token stores a hashed token and replies with it From sip:sylkserver@host', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const response = await inject(alice, { to: A, contentType: 'application/sylk-api-token', body: 'x' });
        assert.equal(response.status, 200);
        assert.ok(app.proxy !== undefined);
        const sent = await ownMessage(app.proxy, 'application/sylk-api-token');
        assert.match(sent.headers.get('From') ?? '', /<sip:sylkserver@127\.0\.0\.1>/);
        assert.match(sent.headers.get('To') ?? '', /<sip:alice@example\.test>/);
        assert.equal(sent.headers.get('X-Sylk-To-Sip'), 'yes');
        const body = JSON.parse(sent.body.toString('utf8')) as { token: string; url: string };
        assert.match(body.token, /^[A-Za-z0-9_-]{43}$/);
        assert.ok(body.url.endsWith(`/webrtcgateway/messages/history/${A}`));
        assert.equal(await app.store.storageAccounts.accountForToken(body.token, Date.now()), A);
        assert.ok(await app.store.storageAccounts.verifyToken(A, body.token, Date.now()));
      });
    });

    it('41: key lookup sends the stored key From the owner To the requester', async () => {
      await withApp(async (app) => {
        const bob = await app.agent('bob');
        await app.store.publicKeys.set(A, 'ARMORED-KEY', Date.now());
        const response = await inject(bob, {
          to: A,
          contentType: 'application/sylk-api-pgp-key-lookup',
          body: 'x',
        });
        assert.equal(response.status, 200);
        assert.ok(app.proxy !== undefined);
        const sent = await ownMessage(app.proxy, 'text/pgp-public-key');
        assert.match(sent.headers.get('From') ?? '', /<sip:alice@example\.test>/);
        assert.match(sent.headers.get('To') ?? '', /<sip:bob@example\.test>/);
        assert.equal(sent.body.toString('utf8'), 'ARMORED-KEY');
        // Nobody's key: nothing is sent. The next key sent is the one of a later lookup (alice's again).
        await inject(bob, { to: C, contentType: 'application/sylk-api-pgp-key-lookup', body: 'x' });
        await inject(bob, { to: A, contentType: 'application/sylk-api-pgp-key-lookup', body: 'x' });
        const next = await ownMessage(app.proxy, 'text/pgp-public-key');
        assert.match(next.headers.get('From') ?? '', /<sip:alice@example\.test>/, 'no key sent for carol');
      });
    });

    it('RCS FT-HTTP becomes application/sylk-file-transfer, stored, announced and pushed', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const xml =
          '<?xml version="1.0" encoding="UTF-8"?><file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp">' +
          '<file-info type="file"><file-size>1234</file-size><file-name>a.png</file-name>' +
          '<content-type>image/png</content-type>' +
          '<data url="https://missive.example.test/webrtcgateway/filetransfer/x/y/t1/a.png" until="2024-05-16T10:00:00+02:00"/>' +
          '</file-info></file>';
        const body = cpim({
          from: A,
          to: B,
          messageId: 't1',
          contentType: 'application/vnd.gsma.rcs-ft-http+xml',
          content: xml,
        });
        assert.equal((await inject(alice, { to: B, contentType: 'message/cpim', body })).status, 200);
        const entry = await app.store.journal.get(B, 't1');
        assert.equal(entry?.contentType, 'application/sylk-file-transfer');
        const transfer = JSON.parse(entry.content) as Record<string, unknown>;
        assert.equal(transfer.filename, 'a.png');
        assert.equal(transfer.filesize, 1234);
        assert.equal(
          payloadOf(app.eventsFor('message', B)[0]).content_type,
          'application/sylk-file-transfer',
        );
        assert.equal(payloadOf(app.eventsFor('push', B)[0]).contentType, 'application/sylk-file-transfer');
      });
    });

    it('a storage failure answers 500 and emits nothing; the retry after recovery is stored', async () => {
      await withApp(async (app) => {
        const alice = await app.agent('alice');
        const journal = app.store.journal;
        const original = journal.appendBatch.bind(journal);
        let fail = true;
        (journal as { appendBatch: typeof journal.appendBatch }).appendBatch = (items, now) =>
          fail ? Promise.reject(new Error('disk full')) : original(items, now);
        const first = await inject(alice, { to: B, contentType: 'message/cpim', body: m2() });
        assert.equal(first.status, 500);
        assert.equal(app.events.length, 0);
        fail = false;
        const retry = await inject(alice, { to: B, contentType: 'message/cpim', body: m2() });
        assert.equal(retry.status, 200);
        assert.equal(await app.store.journal.count(B), 1);
        await sleep(0);
      });
    });
  });
}
