// Sylk spec §9 tests 48–50 over real HTTP, on SQLite and PostgreSQL: the history endpoint's token check, its
// answer's shape and timestamps, paging after a message id with the 5000 cap, token replacement and expiry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateApiToken, type NewEntry } from '../../src/store/index.js';
import type { ConformanceBackend } from '../store/backends.js';
import { ALICE, BOB, incoming, outgoing } from '../store/journal-entries.js';
import { apikey, BACKENDS, request, startWeb, T0, type WebHarness } from './harness.js';

const HISTORY = '/webrtcgateway/messages/history';
const KEYS = [
  'contact',
  'timestamp',
  'disposition',
  'message_id',
  'content_type',
  'content',
  'direction',
  'state',
];

interface Message {
  readonly message_id: string;
  readonly [key: string]: unknown;
}

function messagesOf(body: string): { account: string; messages: Message[] } {
  return JSON.parse(body) as { account: string; messages: Message[] };
}

for (const { name, make } of BACKENDS) {
  describe(`history API (${name})`, () => {
    let backend: ConformanceBackend;
    let web: WebHarness;
    let aliceToken: string;
    let bobToken: string;

    before(async () => {
      backend = await make();
      web = await startWeb((await backend.fresh()).uri);
      aliceToken = generateApiToken();
      bobToken = generateApiToken();
      await web.store.storageAccounts.setToken(ALICE, aliceToken, T0);
      await web.store.storageAccounts.setToken(BOB, bobToken, T0);
      const entries: NewEntry[] = [
        incoming('e1', { timestamp: '2024-05-01T10:00:00.000Z' }),
        outgoing('e2', { timestamp: '2024-05-01T12:00:00.123+02:00', contact: BOB }),
        incoming('e3', { timestamp: '2024-05-01T10:00:05', disposition: null }),
      ];
      for (const [i, entry] of entries.entries()) await web.store.journal.append(ALICE, entry, T0 + i);
      await web.store.journal.append(BOB, outgoing('b1'), T0);
    });
    after(async () => {
      await web.close();
      await backend.close();
    });

    test('48: the token of the account gives 200 application/json with every message, oldest first', async () => {
      const reply = await request(`${web.base}${HISTORY}/${ALICE}`, { headers: apikey(aliceToken) });
      assert.equal(reply.status, 200, reply.body);
      assert.equal(reply.headers.get('content-type'), 'application/json');
      assert.equal(
        reply.headers.get('access-control-allow-origin'),
        null,
        'no CORS headers (sylk spec §4.6)',
      );
      const body = messagesOf(reply.body);
      assert.equal(body.account, ALICE);
      assert.deepEqual(
        body.messages.map((m) => m.message_id),
        ['e1', 'e2', 'e3'],
      );
      for (const message of body.messages) assert.deepEqual(Object.keys(message), KEYS);
      assert.deepEqual(body.messages[0], {
        contact: BOB,
        timestamp: '2024-05-01T10:00:00+00:00',
        disposition: ['positive-delivery', 'display'],
        message_id: 'e1',
        content_type: 'text/plain',
        content: 'hello e1',
        direction: 'incoming',
        state: 'received',
      });
      // sylk spec §3.2: microseconds printed with six digits, the offset kept, a naive value stays naive.
      assert.equal(body.messages[1]?.timestamp, '2024-05-01T12:00:00.123000+02:00');
      assert.equal(body.messages[1].state, 'pending');
      assert.equal(body.messages[2]?.timestamp, '2024-05-01T10:00:05');
      assert.equal(body.messages[2].disposition, null);
      assert.equal(reply.headers.get('x-missive-has-more'), null);
    });

    test('48: another account’s token, Bearer, no header, malformed headers: 401 Unauthorized', async () => {
      const cases: (Record<string, string> | undefined)[] = [
        apikey(bobToken),
        { Authorization: `Bearer ${aliceToken}` },
        undefined,
        { Authorization: `apikey ${aliceToken}` },
        { Authorization: `APIKEY ${aliceToken}` },
        { Authorization: `Apikey ${aliceToken} extra` },
        { Authorization: 'Apikey' },
        { Authorization: '' },
        { Authorization: `Apikey ${aliceToken.slice(0, -1)}` },
        { Authorization: `Apikey ${'x'.repeat(4000)}` },
      ];
      for (const headers of cases) {
        const reply = await request(
          `${web.base}${HISTORY}/${ALICE}`,
          headers === undefined ? {} : { headers },
        );
        assert.equal(reply.status, 401, JSON.stringify(headers));
        assert.equal(reply.body, 'Unauthorized');
      }
      // The split is on any whitespace, as Python's str.split().
      const spaced = await request(`${web.base}${HISTORY}/${ALICE}`, {
        headers: { Authorization: ` Apikey \t ${aliceToken} ` },
      });
      assert.equal(spaced.status, 200);
    });

    test('accounts that are not AORs, and an account without storage, are 401', async () => {
      for (const account of ['not-an-aor@', '%00@example.com', 'carol@example.com']) {
        const reply = await request(`${web.base}${HISTORY}/${account}`, { headers: apikey(aliceToken) });
        assert.equal(reply.status, 401, account);
        assert.equal(reply.body, 'Unauthorized');
      }
    });

    test('sylk spec §8.24: the scheme is dropped and the domain lower-cased; the user part keeps its case', async () => {
      for (const account of ['alice@EXAMPLE.com', 'sip:alice@example.com', 'sip%3Aalice%40Example.COM']) {
        const reply = await request(`${web.base}${HISTORY}/${account}`, { headers: apikey(aliceToken) });
        assert.equal(reply.status, 200, account);
        assert.equal(messagesOf(reply.body).account, ALICE);
      }
      const upper = await request(`${web.base}${HISTORY}/Alice@example.com`, { headers: apikey(aliceToken) });
      assert.equal(upper.status, 401);
    });

    test('OPTIONS is the same handler: 401 without the token, the history with it', async () => {
      const bare = await request(`${web.base}${HISTORY}/${ALICE}`, { method: 'OPTIONS' });
      assert.equal(bare.status, 401);
      const withToken = await request(`${web.base}${HISTORY}/${ALICE}`, {
        method: 'OPTIONS',
        headers: apikey(aliceToken),
      });
      assert.equal(withToken.status, 200);
      assert.equal(messagesOf(withToken.body).messages.length, 3);
    });

    test('49: after a message id, only the later entries; an unknown id gives all and says so', async () => {
      const afterE1 = await request(`${web.base}${HISTORY}/${ALICE}/e1`, { headers: apikey(aliceToken) });
      assert.deepEqual(
        messagesOf(afterE1.body).messages.map((m) => m.message_id),
        ['e2', 'e3'],
      );
      const afterE3 = await request(`${web.base}${HISTORY}/${ALICE}/e3`, { headers: apikey(aliceToken) });
      assert.deepEqual(messagesOf(afterE3.body).messages, []);
      const unknown = await request(`${web.base}${HISTORY}/${ALICE}/nope`, { headers: apikey(aliceToken) });
      assert.equal(messagesOf(unknown.body).messages.length, 3);
      assert.equal(unknown.headers.get('x-missive-unknown-message-id'), 'true');
      const tooLong = await request(`${web.base}${HISTORY}/${ALICE}/${'m'.repeat(2000)}`, {
        headers: apikey(aliceToken),
      });
      assert.equal(tooLong.status, 200);
      assert.equal(messagesOf(tooLong.body).messages.length, 3);
      // Bob's message id is not a cursor into Alice's journal.
      const foreign = await request(`${web.base}${HISTORY}/${ALICE}/b1`, { headers: apikey(aliceToken) });
      assert.equal(foreign.headers.get('x-missive-unknown-message-id'), 'true');
      assert.ok(messagesOf(foreign.body).messages.every((m) => m.message_id !== 'b1'));
    });

    test('50: a second token replaces the first; a token past its lifetime is refused', async () => {
      const first = generateApiToken();
      const second = generateApiToken();
      const account = 'dave@example.com';
      await web.store.storageAccounts.setToken(account, first, web.clock.now(), 60_000);
      assert.equal(
        (await request(`${web.base}${HISTORY}/${account}`, { headers: apikey(first) })).status,
        200,
      );
      await web.store.storageAccounts.setToken(account, second, web.clock.now(), 60_000);
      const old = await request(`${web.base}${HISTORY}/${account}`, { headers: apikey(first) });
      assert.deepEqual([old.status, old.body], [401, 'Unauthorized']);
      const current = await request(`${web.base}${HISTORY}/${account}`, { headers: apikey(second) });
      assert.deepEqual([current.status, current.body], [200, `{"account":"${account}","messages":[]}`]);
      web.clock.advance(60_000);
      const expired = await request(`${web.base}${HISTORY}/${account}`, { headers: apikey(second) });
      assert.deepEqual([expired.status, expired.body], [401, 'Unauthorized']);
    });
  });

  describe(`history API, more than 5000 entries (${name})`, () => {
    let backend: ConformanceBackend;
    let web: WebHarness;
    const token = generateApiToken();
    const account = 'erin@example.com';

    before(async () => {
      backend = await make();
      web = await startWeb((await backend.fresh()).uri);
      await web.store.storageAccounts.setToken(account, token, T0);
      const items = Array.from({ length: 5002 }, (_, i) => ({
        account,
        entry: incoming(`m${String(i).padStart(5, '0')}`),
      }));
      await web.store.journal.appendBatch(items, T0);
    });
    after(async () => {
      await web.close();
      await backend.close();
    });

    test('49: exactly 5000, the oldest ones, and the header says more follow', async () => {
      const reply = await request(`${web.base}${HISTORY}/${account}/m00000`, { headers: apikey(token) });
      const ids = messagesOf(reply.body).messages.map((m) => m.message_id);
      assert.equal(ids.length, 5000);
      assert.equal(ids[0], 'm00001');
      assert.equal(ids.at(-1), 'm05000');
      assert.equal(reply.headers.get('x-missive-has-more'), 'true');
      const rest = await request(`${web.base}${HISTORY}/${account}/m05000`, { headers: apikey(token) });
      assert.deepEqual(
        messagesOf(rest.body).messages.map((m) => m.message_id),
        ['m05001'],
      );
      assert.equal(rest.headers.get('x-missive-has-more'), null);
    });
  });
}
