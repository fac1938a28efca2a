// The journal cursor API over real HTTP on SQLite and PostgreSQL: newest page by default, paging back with
// before= and forward with after=, has_more never lying, bad parameters 400 with a message, credentials
// checked first, and one account's cursor reading nothing of another's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateApiToken } from '../../src/store/index.js';
import type { ConformanceBackend } from '../store/backends.js';
import { ALICE, BOB, incoming } from '../store/journal-entries.js';
import { apikey, BACKENDS, request, startWeb, T0, type WebHarness } from './harness.js';

const JOURNAL = '/webrtcgateway/messages/journal';

interface Page {
  readonly account: string;
  readonly entries: { readonly cursor: string; readonly message_id: string; readonly timestamp: string }[];
  readonly next: string;
  readonly has_more: boolean;
}

for (const { name, make } of BACKENDS) {
  describe(`journal cursor API (${name})`, () => {
    let backend: ConformanceBackend;
    let web: WebHarness;
    const token = generateApiToken();
    const bobToken = generateApiToken();

    before(async () => {
      backend = await make();
      web = await startWeb((await backend.fresh()).uri);
      await web.store.storageAccounts.setToken(ALICE, token, T0);
      await web.store.storageAccounts.setToken(BOB, bobToken, T0);
      for (let i = 1; i <= 5; i++) await web.store.journal.append(ALICE, incoming(`a${String(i)}`), T0 + i);
      await web.store.journal.append(BOB, incoming('b1'), T0);
    });
    after(async () => {
      await web.close();
      await backend.close();
    });

    async function page(account: string, query: string, key = token): Promise<Page> {
      const reply = await request(`${web.base}${JOURNAL}/${account}${query}`, { headers: apikey(key) });
      assert.equal(reply.status, 200, reply.body);
      assert.equal(reply.headers.get('content-type'), 'application/json');
      return JSON.parse(reply.body) as Page;
    }
    const ids = (p: Page): string[] => p.entries.map((e) => e.message_id);

    test('no cursor: the newest page, then older pages with before=next until has_more is false', async () => {
      const newest = await page(ALICE, '?limit=2');
      assert.equal(newest.account, ALICE);
      assert.deepEqual(ids(newest), ['a4', 'a5']);
      assert.equal(newest.has_more, true);
      assert.equal(newest.next, newest.entries[0]?.cursor);
      assert.equal(newest.entries[0]?.timestamp, '2024-05-01T12:00:00+02:00');
      const older = await page(ALICE, `?before=${newest.next}&limit=2`);
      assert.deepEqual([ids(older), older.has_more], [['a2', 'a3'], true]);
      const oldest = await page(ALICE, `?before=${older.next}&limit=2`);
      assert.deepEqual([ids(oldest), oldest.has_more], [['a1'], false]);
      const all = await page(ALICE, '');
      assert.deepEqual([ids(all), all.has_more], [['a1', 'a2', 'a3', 'a4', 'a5'], false]);
    });

    test('after=: forward from a cursor; an empty last page says where new entries will appear', async () => {
      const first = await page(ALICE, '?after=j0&limit=3');
      assert.deepEqual([ids(first), first.has_more], [['a1', 'a2', 'a3'], true]);
      const second = await page(ALICE, `?after=${first.next}&limit=3`);
      assert.deepEqual([ids(second), second.has_more], [['a4', 'a5'], false]);
      const empty = await page(ALICE, `?after=${second.next}`);
      assert.deepEqual([ids(empty), empty.has_more, empty.next], [[], false, second.next]);
      await web.store.journal.append(ALICE, incoming('a6'), T0 + 10);
      const fresh = await page(ALICE, `?after=${empty.next}`);
      assert.deepEqual(ids(fresh), ['a6']);
      await web.store.journal.removeMessage(ALICE, 'a6', { now: T0 + 11 });
    });

    test("a cursor from one account's page reads only the account named in the path", async () => {
      const alice = await page(ALICE, '?after=j0&limit=1');
      const bob = await page(BOB, `?before=${alice.next}`, bobToken);
      assert.ok(ids(bob).every((id) => id.startsWith('b')));
      const bobAll = await page(BOB, '?after=j0', bobToken);
      assert.deepEqual(ids(bobAll), ['b1']);
    });

    test('bad parameters: 400 with a message saying what is wrong', async () => {
      const cases: [string, RegExp][] = [
        ['?after=xyz', /after is not a journal cursor/],
        ['?before=j', /before is not a journal cursor/],
        ['?before=J1', /before is not a journal cursor/],
        ['?after=j1&before=j2', /not both/],
        ['?limit=0', /limit must be an integer from 1 to 5000/],
        ['?limit=5001', /limit must be an integer from 1 to 5000/],
        ['?limit=abc', /limit must be an integer/],
        ['?limit=-1', /limit must be an integer/],
        ['?limit=1&limit=2', /limit is given more than once/],
        ['?order=desc', /unknown parameter order/],
      ];
      for (const [query, message] of cases) {
        const reply = await request(`${web.base}${JOURNAL}/${ALICE}${query}`, { headers: apikey(token) });
        assert.equal(reply.status, 400, query);
        assert.match(reply.body, message, query);
      }
    });

    test('credentials are checked before the parameters', async () => {
      for (const headers of [{}, apikey(bobToken), { Authorization: `Bearer ${token}` }]) {
        const reply = await request(`${web.base}${JOURNAL}/${ALICE}?after=bad`, { headers });
        assert.deepEqual([reply.status, reply.body], [401, 'Unauthorized']);
      }
    });
  });
}
