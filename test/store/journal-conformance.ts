/**
 * The journal's contract and its companions' (storage accounts and tokens, public keys, push tokens), run
 * against every backend (journal-sqlite.test.ts, journal-postgres.test.ts, journal-cassandra.test.ts). Each
 * test works on a fresh target (new file, new schema, new keyspace) and closes what it opened.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  type AppendResult,
  DEFAULT_TOKEN_LIFETIME_MS,
  generateApiToken,
  InvalidInputError,
  JOURNAL_START,
  type JournalEntry,
  MAX_BATCH,
  type NewEntry,
  openStore,
  type PushToken,
  retentionCutoff,
  type Store,
  StoreError,
} from '../../src/store/index.js';
import type { ConformanceBackend, StoreTarget } from './backends.js';
import { ALICE, BOB, CAROL, incoming, outgoing, record, T0 } from './journal-entries.js';
import { runTypeScript } from './processes.js';
import { PROCESS_START_MS } from '../support/wait.js';

// A Cassandra node on a loaded 2-core machine takes minutes for the whole suite.
const TIMEOUT = { timeout: 600_000 };
const DAY = 24 * 3600 * 1000;

/** Every entry of the account, oldest first, read page by page. */
async function everything(store: Store, account: string): Promise<JournalEntry[]> {
  const all: JournalEntry[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.journal.after(account, cursor, 7);
    all.push(...page.entries);
    cursor = page.next;
    if (!page.hasMore) return all;
  }
}

const ids = (entries: readonly JournalEntry[]): string[] => entries.map((entry) => entry.messageId);

/** The counters must equal what a full scan finds: kept per write, checked here by scanning. */
async function assertUnreadConsistent(store: Store, account: string): Promise<void> {
  const expected = new Map<string, number>();
  for (const entry of await everything(store, account)) {
    if (entry.unread) expected.set(entry.contact, (expected.get(entry.contact) ?? 0) + 1);
  }
  const counts = await store.journal.unread(account);
  assert.deepEqual(counts.conversations, expected);
  assert.equal(
    counts.total,
    [...expected.values()].reduce((a, b) => a + b, 0),
  );
}

async function unreadOf(store: Store, account: string): Promise<Record<string, number>> {
  const counts = await store.journal.unread(account);
  await assertUnreadConsistent(store, account);
  return { total: counts.total, ...Object.fromEntries(counts.conversations) };
}

async function appendAll(
  store: Store,
  account: string,
  entries: readonly NewEntry[],
  now = T0,
): Promise<void> {
  for (const [i, entry] of entries.entries()) await store.journal.append(account, entry, now + i);
}

export function runJournalConformanceSuite(name: string, open: () => Promise<ConformanceBackend>): void {
  describe(`journal conformance: ${name}`, TIMEOUT, () => {
    let backend: ConformanceBackend;

    before(async () => {
      backend = await open();
    });
    after(async () => {
      await backend.close();
    });

    async function fresh(t: TestContext): Promise<{ target: StoreTarget; store: Store }> {
      const target = await backend.fresh();
      const store = await openStore(target.uri);
      t.after(async () => {
        await store.close();
        await backend.done(target);
      });
      return { target, store };
    }

    describe('append', () => {
      it('stores every field as given and returns the stored entry', async (t) => {
        const { store } = await fresh(t);
        // Binary bodies travel as latin-1 text with NULs (sylk spec §1.4.6); unicode and JSON-looking text
        // too.
        const content = '\u0000\u0001PNG\r\n\u00ff… «ü» {"json": [1]} 😀';
        const entry = incoming('m1', { content, contentType: 'image/png', disposition: null });
        const result = await store.journal.append(ALICE, entry, T0);
        assert.equal(result.outcome, 'stored');
        const expected: JournalEntry = {
          ...entry,
          account: ALICE,
          cursor: result.entry.cursor,
          createdAt: T0,
          unread: false,
        };
        assert.deepEqual(result.entry, expected);
        assert.deepEqual(await store.journal.get(ALICE, 'm1'), expected);
        assert.deepEqual((await store.journal.latest(ALICE, 10)).entries, [expected]);
        for (const state of [
          'pending',
          'accepted',
          'delivered',
          'displayed',
          'failed',
          'error',
          null,
        ] as const) {
          const stored = await store.journal.append(ALICE, outgoing(`s-${state}`, { state }), T0);
          assert.equal((await store.journal.get(ALICE, stored.entry.messageId))?.state, state);
        }
        const conversation = record('r1', 'application/sylk-conversation-read', BOB);
        assert.deepEqual((await store.journal.append(ALICE, conversation, T0)).entry.disposition, []);
        assert.equal((await store.journal.get(ALICE, 'r1'))?.direction, '');
        assert.equal(await store.journal.get(ALICE, 'nope'), undefined);
      });

      it('is idempotent by (account, message id): a second append stores nothing and says duplicate', async (t) => {
        const { store } = await fresh(t);
        const first = await store.journal.append(ALICE, incoming('m1', { content: 'first' }), T0);
        const second = await store.journal.append(ALICE, incoming('m1', { content: 'second' }), T0 + 5);
        assert.equal(first.outcome, 'stored');
        assert.equal(second.outcome, 'duplicate');
        assert.deepEqual(second.entry, first.entry);
        assert.equal(await store.journal.count(ALICE), 1);
        assert.equal((await store.journal.unread(ALICE)).total, 1, 'a duplicate is not counted twice');
        // Another account has its own ids.
        assert.equal((await store.journal.append(BOB, outgoing('m1'), T0)).outcome, 'stored');
        // A duplicate leaves the sequence alone: the next entry directly follows.
        const next = await store.journal.append(ALICE, incoming('m2'), T0 + 6);
        assert.deepEqual(ids((await store.journal.after(ALICE, first.entry.cursor, 10)).entries), ['m2']);
        assert.equal(next.entry.createdAt, T0 + 6);
      });

      it('concurrent appends of one id store it once, and exactly one says stored', async (t) => {
        const { target, store } = await fresh(t);
        const other = await openStore(target.uri);
        t.after(() => other.close());
        for (let round = 0; round < 5; round++) {
          const id = `race-${round}`;
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 === 0 ? store : other).journal.append(
                ALICE,
                incoming(id, { content: `copy ${i}` }),
                T0 + i,
              ),
            ),
          );
          assert.equal(results.filter((r) => r.outcome === 'stored').length, 1, `round ${round}`);
          const stored = results.find((r) => r.outcome === 'stored')?.entry;
          for (const result of results) assert.deepEqual(result.entry, stored);
        }
        assert.equal(await store.journal.count(ALICE), 5);
        assert.deepEqual(await store.journal.unread(ALICE), {
          total: 5,
          conversations: new Map([[BOB, 5]]),
        });
      });

      it('concurrent appends of the same ids from several processes store each once', async (t) => {
        const { target, store } = await fresh(t);
        const processes = 3;
        const count = 150;
        const ready = new Set<number>();
        const stdins: NodeJS.WritableStream[] = [];
        const runs = Array.from({ length: processes }, (_, i) =>
          runTypeScript('test/store/fixtures/append-race.ts', [target.uri, String(count)], {
            timeoutMs: 60_000,
            onStdout(chunk, stdin) {
              if (!chunk.includes('ready') || ready.has(i)) return;
              ready.add(i);
              stdins.push(stdin);
              if (ready.size === processes) for (const input of stdins) input.end('go\n');
            },
          }),
        );
        let stored = 0;
        let duplicate = 0;
        for (const result of await Promise.all(runs)) {
          assert.equal(result.code, 0, result.stderr);
          const counts = JSON.parse(result.stdout.split('\n').filter(Boolean).at(-1) ?? '{}') as {
            stored: number;
            duplicate: number;
          };
          stored += counts.stored;
          duplicate += counts.duplicate;
        }
        assert.equal(stored, count);
        assert.equal(duplicate, count * (processes - 1));
        const entries = await everything(store, ALICE);
        assert.equal(entries.length, count);
        assert.equal(new Set(ids(entries)).size, count);
        assert.equal((await store.journal.unread(ALICE)).total, count);
      });

      it("appendBatch stores an item with its own time when it has one, else with the batch's", async (t) => {
        const { store } = await fresh(t);
        await store.journal.appendBatch(
          [
            { account: ALICE, entry: incoming('m1'), now: T0 - 5000 },
            { account: ALICE, entry: incoming('m2') },
            // Earlier than the entry before it: raised to that entry's, as append() does, so that the
            // times never go back along the journal (the sync cursor's order).
            { account: ALICE, entry: incoming('m3'), now: T0 - 9000 },
            { account: BOB, entry: outgoing('b1', { contact: ALICE }), now: T0 - 3000 },
          ],
          T0,
        );
        const times = async (account: string): Promise<[string, number][]> =>
          (await everything(store, account)).map((entry) => [entry.messageId, entry.createdAt]);
        assert.deepEqual(await times(ALICE), [
          ['m1', T0 - 5000],
          ['m2', T0],
          ['m3', T0],
        ]);
        assert.deepEqual(await times(BOB), [['b1', T0 - 3000]]);
      });

      it('appendBatch appends in order, across accounts, in one transaction', async (t) => {
        const { store } = await fresh(t);
        await store.journal.append(ALICE, incoming('m0'), T0);
        const results = await store.journal.appendBatch(
          [
            { account: BOB, entry: outgoing('b1', { contact: ALICE }) },
            { account: ALICE, entry: incoming('m1') },
            { account: ALICE, entry: incoming('m0') },
            { account: ALICE, entry: incoming('m2') },
            { account: ALICE, entry: incoming('m2') },
            { account: BOB, entry: outgoing('b2', { contact: ALICE }) },
          ],
          T0 + 1,
        );
        assert.deepEqual(
          results.map((r: AppendResult) => [r.entry.account, r.entry.messageId, r.outcome]),
          [
            [BOB, 'b1', 'stored'],
            [ALICE, 'm1', 'stored'],
            [ALICE, 'm0', 'duplicate'],
            [ALICE, 'm2', 'stored'],
            [ALICE, 'm2', 'duplicate'],
            [BOB, 'b2', 'stored'],
          ],
        );
        assert.deepEqual(ids(await everything(store, ALICE)), ['m0', 'm1', 'm2']);
        assert.deepEqual(ids(await everything(store, BOB)), ['b1', 'b2']);
        assert.deepEqual(await store.journal.appendBatch([], T0), []);
        // One malformed item: nothing of the batch is written.
        await assert.rejects(
          store.journal.appendBatch(
            [
              { account: ALICE, entry: incoming('m3') },
              { account: ALICE, entry: incoming('m4', { direction: 'sideways' as 'incoming' }) },
            ],
            T0,
          ),
          InvalidInputError,
        );
        assert.equal(await store.journal.get(ALICE, 'm3'), undefined);
        const tooMany = Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({
          account: ALICE,
          entry: incoming(`x${i}`),
        }));
        await assert.rejects(store.journal.appendBatch(tooMany, T0), InvalidInputError);
      });

      it('concurrent batches, appends and a purge over shared accounts store each id once', async (t) => {
        const { target, store } = await fresh(t);
        const other = await openStore(target.uri);
        t.after(() => other.close());
        const accounts = Array.from({ length: 6 }, (_, i) => `user${i}@example.com`);
        // Old entries for the purge to take while the writers run.
        await store.journal.appendBatch(
          accounts.flatMap((account) =>
            Array.from({ length: 20 }, (_, i) => ({ account, entry: incoming(`old-${i}`) })),
          ),
          T0 - DAY,
        );
        // Each batch names the accounts in another order and overlaps the others' ids.
        const batch = (k: number) =>
          (k % 2 === 0 ? store : other).journal.appendBatch(
            Array.from({ length: 30 }, (_, i) => ({
              account: accounts[(i * (k + 1) + k) % accounts.length] ?? ALICE,
              entry: incoming(`id-${(i + k * 7) % 40}`),
            })),
            T0 + k,
          );
        const singles = Array.from({ length: 20 }, (_, i) =>
          other.journal.append(accounts[i % accounts.length] ?? ALICE, incoming(`id-${i}`), T0),
        );
        const [purged, ...results] = await Promise.all([
          store.journal.purgeOlderThan(T0),
          ...Array.from({ length: 6 }, (_, k) => batch(k)),
          ...singles,
        ]);
        assert.equal(purged, 120);
        const outcomes = results.flat();
        const stored = new Set<string>();
        for (const result of outcomes) {
          if (result.outcome !== 'stored') continue;
          const id = `${result.entry.account} ${result.entry.messageId}`;
          assert.ok(!stored.has(id), `${id} stored twice`);
          stored.add(id);
        }
        let total = 0;
        for (const account of accounts) {
          const entries = await everything(store, account);
          assert.ok(entries.every((e) => !e.messageId.startsWith('old-')));
          assert.equal(new Set(ids(entries)).size, entries.length);
          total += entries.length;
          await assertUnreadConsistent(store, account);
        }
        assert.equal(total, stored.size);
      });

      it('rejects malformed entries, accounts and times before writing anything', async (t) => {
        const { store } = await fresh(t);
        const bad: [string, NewEntry][] = [
          ['empty id', incoming('')],
          ['control character in the id', incoming('a\nb')],
          ['empty contact', incoming('m', { contact: '' })],
          ['unknown direction', incoming('m', { direction: 'up' as 'incoming' })],
          ['unknown state', incoming('m', { state: 'processed' as 'received' })],
          ['disposition not a list', incoming('m', { disposition: 'display' as unknown as string[] })],
          ['disposition value not a string', incoming('m', { disposition: [1] as unknown as string[] })],
          ['content not a string', incoming('m', { content: null as unknown as string })],
          ['timestamp not ISO-8601', incoming('m', { timestamp: 'yesterday' })],
          ['empty content type', incoming('m', { contentType: '' })],
          ['id too long', incoming('x'.repeat(2000))],
        ];
        for (const [what, entry] of bad) {
          await assert.rejects(store.journal.append(ALICE, entry, T0), InvalidInputError, what);
        }
        await assert.rejects(store.journal.append('', incoming('m'), T0), InvalidInputError);
        await assert.rejects(store.journal.append(ALICE, incoming('m'), -1), InvalidInputError);
        await assert.rejects(store.journal.append(ALICE, incoming('m'), 1.5), InvalidInputError);
        assert.equal(await store.journal.count(ALICE), 0);
        // Timestamps in the shapes clients and the reference produce are accepted.
        for (const timestamp of [
          '2024-05-01T10:00:00.000Z',
          '2024-05-01T10:00:00+02:00',
          '2024-05-01 10:00:00.123000+00:00',
          '2024-05-01T10:00:00',
        ]) {
          await store.journal.append(ALICE, incoming(timestamp, { timestamp }), T0);
        }
        assert.equal(await store.journal.count(ALICE), 4);
      });
    });

    describe('order and cursors', () => {
      it('orders entries by append; createdAt is UTC ms from the caller and never goes back', async (t) => {
        const { store } = await fresh(t);
        const times = [T0, T0 + 10, T0 + 5, T0 + 20, T0 - 1000];
        for (const [i, now] of times.entries()) await store.journal.append(ALICE, incoming(`m${i}`), now);
        const entries = await everything(store, ALICE);
        assert.deepEqual(ids(entries), ['m0', 'm1', 'm2', 'm3', 'm4']);
        // A clock that steps back does not reorder: createdAt stays at the account's latest.
        assert.deepEqual(
          entries.map((e) => e.createdAt),
          [T0, T0 + 10, T0 + 10, T0 + 20, T0 + 20],
        );
        assert.equal(new Set(entries.map((e) => e.cursor)).size, 5);
      });

      it('keeps the order of many concurrent appends to one account', async (t) => {
        const { store } = await fresh(t);
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => store.journal.append(ALICE, incoming(`c${i}`), T0 + i)),
        );
        const entries = await everything(store, ALICE);
        assert.equal(entries.length, 30);
        // Reading after any entry's cursor returns exactly the entries the full order puts after it.
        for (const result of results) {
          const position = entries.findIndex((e) => e.messageId === result.entry.messageId);
          const rest = await store.journal.after(ALICE, result.entry.cursor, 100);
          assert.deepEqual(ids(rest.entries), ids(entries.slice(position + 1)));
        }
      });

      it('pages forward with hasMore and next, never cutting silently', async (t) => {
        const { store } = await fresh(t);
        await appendAll(
          store,
          ALICE,
          Array.from({ length: 25 }, (_, i) => incoming(`m${i}`)),
        );
        const first = await store.journal.after(ALICE, undefined, 10);
        assert.deepEqual(
          ids(first.entries),
          Array.from({ length: 10 }, (_, i) => `m${i}`),
        );
        assert.equal(first.hasMore, true);
        assert.equal(first.next, first.entries[9]?.cursor);
        const second = await store.journal.after(ALICE, first.next, 10);
        assert.equal(second.entries[0]?.messageId, 'm10');
        assert.equal(second.hasMore, true);
        const third = await store.journal.after(ALICE, second.next, 10);
        assert.deepEqual(ids(third.entries), ['m20', 'm21', 'm22', 'm23', 'm24']);
        assert.equal(third.hasMore, false);
        const end = await store.journal.after(ALICE, third.next, 10);
        assert.deepEqual(end, { entries: [], hasMore: false, next: third.next });
        // Exactly a page's worth left: hasMore is false.
        const exact = await store.journal.after(ALICE, second.next, 5);
        assert.equal(exact.hasMore, false);
        assert.equal(exact.entries.length, 5);
        // limit 0 only asks whether there is more.
        assert.deepEqual((await store.journal.after(ALICE, undefined, 0)).hasMore, true);
        await store.journal.append(ALICE, incoming('m25'), T0 + 100);
        assert.deepEqual(ids((await store.journal.after(ALICE, third.next, 10)).entries), ['m25']);
      });

      it('latest gives the newest N oldest first; before pages back', async (t) => {
        const { store } = await fresh(t);
        assert.deepEqual(await store.journal.latest(ALICE, 10), {
          entries: [],
          hasMore: false,
          next: JOURNAL_START,
        });
        await appendAll(
          store,
          ALICE,
          Array.from({ length: 25 }, (_, i) => incoming(`m${i}`)),
        );
        const newest = await store.journal.latest(ALICE, 10);
        assert.deepEqual(
          ids(newest.entries),
          Array.from({ length: 10 }, (_, i) => `m${i + 15}`),
        );
        assert.equal(newest.hasMore, true);
        assert.equal(newest.next, newest.entries[0]?.cursor);
        const older = await store.journal.before(ALICE, newest.next, 10);
        assert.deepEqual(
          ids(older.entries),
          Array.from({ length: 10 }, (_, i) => `m${i + 5}`),
        );
        assert.equal(older.hasMore, true);
        const oldest = await store.journal.before(ALICE, older.next, 10);
        assert.deepEqual(ids(oldest.entries), ['m0', 'm1', 'm2', 'm3', 'm4']);
        assert.equal(oldest.hasMore, false);
        assert.deepEqual(await store.journal.before(ALICE, oldest.next, 10), {
          entries: [],
          hasMore: false,
          next: oldest.next,
        });
        // A fresh device then follows the journal from the newest entry it got.
        await store.journal.append(ALICE, incoming('m25'), T0 + 100);
        const follow = await store.journal.after(ALICE, newest.entries.at(-1)?.cursor, 10);
        assert.deepEqual(ids(follow.entries), ['m25']);
      });

      it('a cursor stays valid when its entry is removed, and positions are never reused', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [incoming('m0'), incoming('m1'), incoming('m2')]);
        const cursor = (await store.journal.get(ALICE, 'm1'))?.cursor;
        assert.ok(cursor !== undefined);
        await store.journal.removeMessage(ALICE, 'm1', { now: T0 });
        assert.deepEqual(ids((await store.journal.after(ALICE, cursor, 10)).entries), ['m2']);
        // Removing the newest entry then appending: the new entry lies after a device's cursor on the old.
        const newest = (await store.journal.get(ALICE, 'm2'))?.cursor;
        await store.journal.removeMessage(ALICE, 'm2', { now: T0 });
        await store.journal.append(ALICE, incoming('m3'), T0 + 10);
        assert.deepEqual(ids((await store.journal.after(ALICE, newest, 10)).entries), ['m3']);
        // …also after removeAll and removeConversation.
        await store.journal.removeAll(ALICE);
        await store.journal.append(ALICE, incoming('m4'), T0 + 20);
        assert.deepEqual(ids((await store.journal.after(ALICE, newest, 10)).entries), ['m4']);
      });

      it('refuses malformed cursors and limits', async (t) => {
        const { store } = await fresh(t);
        for (const cursor of ['', 'x', '12', 'j', 'j-1', 'jZZ', 'j00', `j${'z'.repeat(12)}`]) {
          await assert.rejects(store.journal.after(ALICE, cursor, 10), InvalidInputError, cursor);
          await assert.rejects(store.journal.before(ALICE, cursor, 10), InvalidInputError, cursor);
        }
        for (const limit of [-1, 1.5, 10_001, Number.NaN]) {
          await assert.rejects(store.journal.after(ALICE, undefined, limit), InvalidInputError);
          await assert.rejects(store.journal.latest(ALICE, limit), InvalidInputError);
        }
      });
    });

    describe('reads bounded by size (sylk spec §8.41)', () => {
      it('maxContentBytes: entries while their contents fit, the first always, hasMore when cut', async (t) => {
        const { store } = await fresh(t);
        const j = store.journal;
        // Contents of 10, 20, 30, 40 and 50 bytes in UTF-8 ('é' is two): bytes count, not characters.
        const sizes = [10, 20, 30, 40, 50];
        await appendAll(
          store,
          ALICE,
          sizes.map((n, i) => incoming(`s${i}`, { content: 'é'.repeat(n / 2) })),
        );
        const cursorOf = async (id: string): Promise<string> => {
          const entry = await j.get(ALICE, id);
          assert.ok(entry !== undefined);
          return entry.cursor;
        };
        const first = await j.after(ALICE, undefined, 10, { maxContentBytes: 35 });
        assert.deepEqual([ids(first.entries), first.hasMore], [['s0', 's1'], true]);
        assert.equal(first.next, await cursorOf('s1'));
        const exact = await j.after(ALICE, undefined, 10, { maxContentBytes: 60 });
        assert.deepEqual(ids(exact.entries), ['s0', 's1', 's2'], 'a page exactly at the bound is kept whole');
        // An entry larger than the whole bound comes alone, so that none is unreachable.
        const alone = await j.after(ALICE, first.next, 10, { maxContentBytes: 5 });
        assert.deepEqual([ids(alone.entries), alone.hasMore], [['s2'], true]);
        // The count still bounds; a page that holds everything says so, and equals the unbounded read.
        const counted = await j.after(ALICE, undefined, 2, { maxContentBytes: 1000 });
        assert.deepEqual([ids(counted.entries), counted.hasMore], [['s0', 's1'], true]);
        const all = await j.after(ALICE, undefined, 10, { maxContentBytes: 150 });
        assert.deepEqual(all, await j.after(ALICE, undefined, 10));
        assert.equal(all.hasMore, false);
        assert.deepEqual(await j.after(ALICE, all.next, 10, { maxContentBytes: 1 }), {
          entries: [],
          hasMore: false,
          next: all.next,
        });
        assert.equal((await j.after(ALICE, undefined, 0, { maxContentBytes: 1 })).hasMore, true);
        // Backwards the bound counts from the newest entry, and next is the oldest one taken.
        const newest = await j.latest(ALICE, 10, { maxContentBytes: 95 });
        assert.deepEqual([ids(newest.entries), newest.hasMore], [['s3', 's4'], true]);
        assert.equal(newest.next, await cursorOf('s3'));
        const older = await j.before(ALICE, newest.next, 10, { maxContentBytes: 0 });
        assert.deepEqual(
          [ids(older.entries), older.hasMore, older.next],
          [['s2'], true, await cursorOf('s2')],
        );
        assert.deepEqual(await j.latest(ALICE, 10, { maxContentBytes: 150 }), await j.latest(ALICE, 10));
        const start = await cursorOf('s0');
        assert.deepEqual(await j.before(ALICE, start, 10, { maxContentBytes: 0 }), {
          entries: [],
          hasMore: false,
          next: start,
        });
        // The legacy query, from each of its starting points.
        const fromMessage = await j.history(ALICE, { messageId: 's0', limit: 5000, maxContentBytes: 50 });
        assert.deepEqual([ids(fromMessage.entries), fromMessage.hasMore], [['s1', 's2'], true]);
        assert.equal(fromMessage.from, 'message');
        const fromStart = await j.history(ALICE, { limit: 5000, maxContentBytes: 0 });
        assert.deepEqual(
          [ids(fromStart.entries), fromStart.hasMore, fromStart.from],
          [['s0'], true, 'start'],
        );
        const since = await j.history(ALICE, { since: T0, limit: 5000, maxContentBytes: 20 });
        assert.deepEqual([ids(since.entries), since.hasMore, since.from], [['s1'], true, 'since']);
      });

      it('paging by size reads every entry exactly once, forward and back', async (t) => {
        const { store } = await fresh(t);
        const j = store.journal;
        // Large contents too (SQLite overflow pages, PostgreSQL TOAST), sized without being read.
        const lengths = [3, 1 << 20, 17, 0, 2 << 20, 5, 5, 700_000, 1, 1 << 20, 9];
        await appendAll(
          store,
          ALICE,
          lengths.map((n, i) => incoming(`p${i}`, { content: 'x'.repeat(n) })),
        );
        await appendAll(store, BOB, [incoming('other')]);
        const expected = lengths.map((_, i) => `p${i}`);
        for (const maxContentBytes of [0, 10, 1 << 20, 3 << 20]) {
          const forward: string[] = [];
          let cursor: string | undefined;
          for (let more = true; more; ) {
            const page = await j.after(ALICE, cursor, 4, { maxContentBytes });
            const total = page.entries.reduce((sum, e) => sum + Buffer.byteLength(e.content), 0);
            assert.ok(page.entries.length <= 1 || total <= maxContentBytes, `${total} > ${maxContentBytes}`);
            forward.push(...ids(page.entries));
            ({ next: cursor, hasMore: more } = page);
          }
          assert.deepEqual(forward, expected, `forward, ${maxContentBytes}`);
          const backward: string[] = [];
          let page = await j.latest(ALICE, 4, { maxContentBytes });
          backward.unshift(...ids(page.entries));
          while (page.hasMore) {
            page = await j.before(ALICE, page.next, 4, { maxContentBytes });
            backward.unshift(...ids(page.entries));
          }
          assert.deepEqual(backward, expected, `backward, ${maxContentBytes}`);
          const legacy: string[] = [];
          let history = await j.history(ALICE, { limit: 4, maxContentBytes });
          legacy.push(...ids(history.entries));
          while (history.hasMore) {
            const last = history.entries.at(-1)?.messageId;
            history = await j.history(ALICE, { messageId: last, limit: 4, maxContentBytes });
            legacy.push(...ids(history.entries));
          }
          assert.deepEqual(legacy, expected, `history, ${maxContentBytes}`);
        }
      });

      it('refuses a malformed bound', async (t) => {
        const { store } = await fresh(t);
        for (const maxContentBytes of [-1, 1.5, Number.NaN, '10' as unknown as number]) {
          const bounds = { maxContentBytes };
          await assert.rejects(store.journal.after(ALICE, undefined, 10, bounds), InvalidInputError);
          await assert.rejects(store.journal.before(ALICE, JOURNAL_START, 10, bounds), InvalidInputError);
          await assert.rejects(store.journal.latest(ALICE, 10, bounds), InvalidInputError);
          await assert.rejects(store.journal.history(ALICE, { limit: 10, ...bounds }), InvalidInputError);
        }
      });
    });

    describe('accounts are separate', () => {
      it('one account never sees, changes or removes another account’s entries', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [incoming('a1'), incoming('shared'), incoming('a2')]);
        await appendAll(store, BOB, [
          outgoing('b1', { contact: ALICE }),
          incoming('shared', { contact: ALICE }),
        ]);
        const aliceCursor = (await store.journal.get(ALICE, 'a1'))?.cursor;
        // Alice's cursor used on Bob's journal reads Bob's entries only.
        const page = await store.journal.after(BOB, aliceCursor, 100);
        assert.ok(page.entries.every((e) => e.account === BOB));
        assert.deepEqual(ids((await store.journal.latest(BOB, 100)).entries), ['b1', 'shared']);
        assert.equal((await store.journal.get(BOB, 'a1')) === undefined, true);
        assert.deepEqual(ids((await store.journal.history(BOB, { messageId: 'a1', limit: 100 })).entries), [
          'b1',
          'shared',
        ]);
        // Updates and removals by id touch the named account only.
        assert.deepEqual(await store.journal.updateState(BOB, 'a2', 'displayed'), { outcome: 'absent' });
        assert.equal((await store.journal.removeMessage(BOB, 'a2', { now: T0 })).removed, undefined);
        await store.journal.removeMessage(BOB, 'shared', { now: T0 });
        assert.equal((await store.journal.get(ALICE, 'shared'))?.content, 'hello shared');
        await store.journal.markConversationRead(BOB, BOB, { now: T0 });
        assert.equal((await store.journal.unread(ALICE)).total, 3);
        await store.journal.removeConversation(BOB, BOB, { now: T0 });
        assert.equal(await store.journal.count(ALICE), 3);
        assert.equal(await store.journal.removeAll(BOB), 1);
        assert.equal(await store.journal.count(ALICE), 3);
        assert.equal((await store.journal.unread(BOB)).total, 0);
      });
    });

    describe('usage (the journal quota)', () => {
      /** usage() must equal what a full scan finds. */
      async function assertUsage(store: Store, account: string, entries: number): Promise<void> {
        const all = await everything(store, account);
        const contentBytes = all.reduce((sum, entry) => sum + Buffer.byteLength(entry.content, 'utf8'), 0);
        assert.equal(all.length, entries);
        assert.deepEqual(await store.journal.usage(account), { entries, contentBytes });
      }

      it('counts entries and content bytes, kept by every write', async (t) => {
        const { store } = await fresh(t);
        assert.deepEqual(await store.journal.usage(ALICE), { entries: 0, contentBytes: 0 });
        // Multi-byte characters and NULs (sylk spec §1.4.6) count as their UTF-8 bytes.
        await appendAll(store, ALICE, [
          incoming('u1', { content: '\u0000\u00ff «ü» 😀' }),
          incoming('u2', { contact: CAROL }),
          outgoing('u3'),
        ]);
        await assertUsage(store, ALICE, 3);
        await store.journal.append(ALICE, incoming('u1', { content: 'a duplicate stores nothing' }), T0);
        await assertUsage(store, ALICE, 3);
        await store.journal.appendBatch(
          [
            { account: ALICE, entry: incoming('u4', { content: 'x'.repeat(5000) }) },
            { account: BOB, entry: outgoing('u4', { contact: ALICE }) },
            { account: ALICE, entry: incoming('u4') },
          ],
          T0,
        );
        await assertUsage(store, ALICE, 4);
        await assertUsage(store, BOB, 1);
        await store.journal.updateState(ALICE, 'u3', 'displayed');
        await store.journal.markConversationRead(ALICE, BOB, { now: T0 });
        await assertUsage(store, ALICE, 4);
        await store.journal.removeMessage(ALICE, 'u4', {
          now: T0,
          record: record('rm-u4', 'application/sylk-message-remove', BOB, 'u4'),
        });
        await assertUsage(store, ALICE, 4);
        await store.journal.removeConversation(ALICE, CAROL, { now: T0 });
        await assertUsage(store, ALICE, 3);
        await appendAll(store, ALICE, [incoming('later')], T0 + DAY);
        assert.equal(await store.journal.purgeOlderThan(T0 + DAY), 4);
        await assertUsage(store, ALICE, 1);
        await assertUsage(store, BOB, 0);
        assert.equal(await store.journal.removeAll(ALICE), 1);
        assert.deepEqual(await store.journal.usage(ALICE), { entries: 0, contentBytes: 0 });
        await appendAll(store, ALICE, [incoming('again')]);
        await assertUsage(store, ALICE, 1);
        await assert.rejects(store.journal.usage(''), InvalidInputError);
      });

      it('checkAppend gives each account its entry with the id and its usage, in the order asked', async (t) => {
        const { store } = await fresh(t);
        const [alice, bob] = await store.journal.appendBatch(
          [
            { account: ALICE, entry: incoming('c1', { content: 'héllo' }) },
            { account: BOB, entry: outgoing('c1', { contact: ALICE }) },
          ],
          T0,
        );
        await appendAll(store, ALICE, [incoming('c2')]);
        const checks = await store.journal.checkAppend([CAROL, ALICE, BOB, ALICE], 'c1');
        assert.deepEqual(checks, [
          { account: CAROL, existing: undefined, usage: { entries: 0, contentBytes: 0 } },
          { account: ALICE, existing: alice?.entry, usage: await store.journal.usage(ALICE) },
          { account: BOB, existing: bob?.entry, usage: await store.journal.usage(BOB) },
          { account: ALICE, existing: alice?.entry, usage: await store.journal.usage(ALICE) },
        ]);
        const none = await store.journal.checkAppend([ALICE], 'never-stored');
        assert.deepEqual(none, [
          { account: ALICE, existing: undefined, usage: await store.journal.usage(ALICE) },
        ]);
        assert.deepEqual(await store.journal.checkAppend([], 'c1'), []);
        await assert.rejects(store.journal.checkAppend([''], 'c1'), InvalidInputError);
        await assert.rejects(store.journal.checkAppend([ALICE], ''), InvalidInputError);
        await assert.rejects(
          store.journal.checkAppend(Array<string>(11).fill(ALICE), 'c1'),
          InvalidInputError,
        );
      });

      // SQL stores only: the Cassandra journal has had its counters from its first version, nothing migrates.
      if (name !== 'Cassandra')
        it('is counted from the existing entries when a store from before the counters is migrated', async (t) => {
          const { target, store } = await fresh(t);
          await appendAll(store, ALICE, [
            incoming('m1', { content: '«ü» 😀' }),
            incoming('m2'),
            outgoing('m3'),
          ]);
          await appendAll(store, BOB, [incoming('b1')]);
          await store.close();
          // Back to schema version 4: no counters, no triggers.
          const a = target.table('missive_journal_account');
          const undo =
            name === 'PostgreSQL'
              ? [
                  `DROP TRIGGER missive_journal_usage_insert ON ${target.table('missive_journal')}`,
                  `DROP TRIGGER missive_journal_usage_delete ON ${target.table('missive_journal')}`,
                  `DROP FUNCTION ${target.table('missive_journal_usage_insert')}()`,
                  `DROP FUNCTION ${target.table('missive_journal_usage_delete')}()`,
                  `ALTER TABLE ${a} DROP COLUMN entries, DROP COLUMN content_bytes`,
                ]
              : [
                  'DROP TRIGGER missive_journal_usage_insert',
                  'DROP TRIGGER missive_journal_usage_delete',
                  `ALTER TABLE ${a} DROP COLUMN entries`,
                  `ALTER TABLE ${a} DROP COLUMN content_bytes`,
                ];
          // Back to version 4: the steps after it (5, the counters; 6, the address books; 7, the instances)
          // run again.
          undo.push(`DROP TABLE ${target.table('missive_address_book')}`);
          const location = target.table('missive_location');
          if (name !== 'PostgreSQL') undo.push('DROP INDEX missive_location_holder_idx');
          undo.push(
            `ALTER TABLE ${location} DROP COLUMN holder`,
            `DROP TABLE ${target.table('missive_instance')}`,
            `DROP TABLE ${target.table('missive_cluster_notice')}`,
          );
          for (const statement of undo) await target.query(statement);
          await target.query(`DELETE FROM ${target.table('missive_schema')} WHERE version >= 5`);
          const migrated = await openStore(target.uri);
          t.after(() => migrated.close());
          await assertUsage(migrated, ALICE, 3);
          await assertUsage(migrated, BOB, 1);
          await migrated.journal.append(ALICE, incoming('m4'), T0);
          await assertUsage(migrated, ALICE, 4);
        });

      it('is kept on a store opened again, and by appends racing for one account', async (t) => {
        const { target, store } = await fresh(t);
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.journal.append(ALICE, incoming(`race-${i % 10}`, { content: `body ${i % 10}` }), T0),
          ),
        );
        await assertUsage(store, ALICE, 10);
        const again = await openStore(target.uri);
        t.after(() => again.close());
        await assertUsage(again, ALICE, 10);
      });
    });

    describe('state and disposition (sylk spec §3.5, forward only)', () => {
      it('moves pending < accepted < delivered < displayed and never back', async (t) => {
        const { store } = await fresh(t);
        await store.journal.append(ALICE, outgoing('m1'), T0);
        const step = async (state: Parameters<Store['journal']['updateState']>[2]) =>
          store.journal.updateState(ALICE, 'm1', state);
        const accepted = await step('accepted');
        assert.equal(accepted.outcome, 'updated');
        assert.equal((await step('pending')).outcome, 'unchanged');
        const delivered = await step('delivered');
        assert.ok(delivered.outcome === 'updated');
        assert.equal(delivered.entry.state, 'delivered');
        assert.deepEqual(delivered.entry.disposition, ['display']);
        // A late 2xx after the IMDN: no regression (sylk spec §8.9).
        assert.equal((await step('accepted')).outcome, 'unchanged');
        assert.equal((await step('failed')).outcome, 'unchanged');
        const displayed = await step('displayed');
        assert.ok(displayed.outcome === 'updated');
        assert.deepEqual(displayed.entry.disposition, []);
        for (const state of ['pending', 'accepted', 'delivered', 'failed', 'error'] as const) {
          assert.equal((await step(state)).outcome, 'unchanged', state);
        }
        const stored = await store.journal.get(ALICE, 'm1');
        assert.equal(stored?.state, 'displayed');
        assert.deepEqual(stored.disposition, []);
        assert.deepEqual(displayed.entry, stored);
      });

      it('failed and error only from pending or accepted, and final', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [
          outgoing('p'),
          outgoing('a', { state: 'accepted' }),
          outgoing('d', { state: 'delivered' }),
        ]);
        assert.equal((await store.journal.updateState(ALICE, 'p', 'failed')).outcome, 'updated');
        assert.equal((await store.journal.updateState(ALICE, 'a', 'error')).outcome, 'updated');
        assert.equal((await store.journal.updateState(ALICE, 'd', 'failed')).outcome, 'unchanged');
        for (const state of ['accepted', 'error', 'failed'] as const) {
          assert.equal((await store.journal.updateState(ALICE, 'p', state)).outcome, 'unchanged');
        }
        assert.equal((await store.journal.updateState(ALICE, 'a', 'accepted')).outcome, 'unchanged');
        assert.equal((await store.journal.get(ALICE, 'p'))?.state, 'failed');
        assert.equal((await store.journal.get(ALICE, 'a'))?.state, 'error');
        assert.equal((await store.journal.get(ALICE, 'd'))?.state, 'delivered');
        // Dispositions still follow delivered and displayed notifications on a failed entry.
        const late = await store.journal.updateState(ALICE, 'p', 'displayed');
        assert.ok(late.outcome === 'updated');
        assert.equal(late.entry.state, 'failed');
        assert.deepEqual(late.entry.disposition, []);
      });

      it('received never changes state; its disposition follows the notifications', async (t) => {
        const { store } = await fresh(t);
        await store.journal.append(ALICE, incoming('m1'), T0);
        const delivered = await store.journal.updateState(ALICE, 'm1', 'delivered');
        assert.ok(delivered.outcome === 'updated');
        assert.equal(delivered.entry.state, 'received');
        assert.deepEqual(delivered.entry.disposition, ['display']);
        assert.equal((await store.journal.updateState(ALICE, 'm1', 'delivered')).outcome, 'unchanged');
        const displayed = await store.journal.updateState(ALICE, 'm1', 'displayed');
        assert.ok(displayed.outcome === 'updated');
        assert.equal(displayed.entry.state, 'received');
        assert.deepEqual(displayed.entry.disposition, []);
        assert.equal((await store.journal.updateState(ALICE, 'm1', 'failed')).outcome, 'unchanged');
        // A null disposition: delivered leaves it null, displayed makes it [] (as the reference).
        await store.journal.append(ALICE, incoming('m2', { disposition: null }), T0);
        assert.equal((await store.journal.updateState(ALICE, 'm2', 'delivered')).outcome, 'unchanged');
        assert.deepEqual((await store.journal.get(ALICE, 'm2'))?.disposition, null);
        await store.journal.updateState(ALICE, 'm2', 'displayed');
        assert.deepEqual((await store.journal.get(ALICE, 'm2'))?.disposition, []);
        // Operation records have no state to move.
        await store.journal.append(ALICE, record('r', 'application/sylk-conversation-read', BOB), T0);
        assert.equal((await store.journal.updateState(ALICE, 'r', 'accepted')).outcome, 'unchanged');
        assert.deepEqual(await store.journal.updateState(ALICE, 'nope', 'accepted'), { outcome: 'absent' });
        await assert.rejects(
          store.journal.updateState(ALICE, 'm1', 'processed' as 'accepted'),
          InvalidInputError,
        );
      });
    });

    describe('unread counters (sylk spec §3.7)', () => {
      it('count incoming displayable messages that ask for display, nothing else', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [
          incoming('plain'),
          incoming('html', { contentType: 'text/html' }),
          incoming('file', { contentType: 'application/sylk-file-transfer', contact: CAROL }),
          incoming('case', { contentType: 'Text/Plain' }),
          incoming('no-display', { disposition: ['positive-delivery'] }),
          incoming('null-display', { disposition: null }),
          incoming('image', { contentType: 'image/png' }),
          incoming('imdn', { contentType: 'message/imdn', disposition: [] }),
          outgoing('sent'),
          incoming('self', { contact: ALICE }),
        ]);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 4, [BOB]: 3, [CAROL]: 1 });
        assert.deepEqual(
          (await everything(store, ALICE)).filter((e) => e.unread).map((e) => e.messageId),
          ['plain', 'html', 'file', 'case'],
        );
      });

      it('follow displayed notifications, reads, removals and purges, in the same transaction', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [
          incoming('b1'),
          incoming('b2'),
          incoming('b3'),
          incoming('b4'),
          incoming('c1', { contact: CAROL }),
          incoming('c2', { contact: CAROL }),
        ]);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 6, [BOB]: 4, [CAROL]: 2 });
        await store.journal.updateState(ALICE, 'b1', 'delivered');
        assert.deepEqual(await unreadOf(store, ALICE), { total: 6, [BOB]: 4, [CAROL]: 2 });
        await store.journal.updateState(ALICE, 'b1', 'displayed');
        await store.journal.updateState(ALICE, 'b1', 'displayed');
        assert.deepEqual(await unreadOf(store, ALICE), { total: 5, [BOB]: 3, [CAROL]: 2 });
        await store.journal.removeMessage(ALICE, 'b2', { now: T0 });
        await store.journal.removeMessage(ALICE, 'b1', { now: T0 }); // already read
        assert.deepEqual(await unreadOf(store, ALICE), { total: 4, [BOB]: 2, [CAROL]: 2 });
        await store.journal.markConversationRead(ALICE, CAROL, { now: T0 });
        assert.deepEqual(await unreadOf(store, ALICE), { total: 2, [BOB]: 2 });
        await store.journal.append(ALICE, incoming('c3', { contact: CAROL }), T0 + 50);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 3, [BOB]: 2, [CAROL]: 1 });
        await store.journal.removeConversation(ALICE, BOB, { now: T0 + 50 });
        assert.deepEqual(await unreadOf(store, ALICE), { total: 1, [CAROL]: 1 });
        await store.journal.append(ALICE, incoming('b5'), T0 + 60);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 2, [BOB]: 1, [CAROL]: 1 });
        // c3 was stored at T0 + 50, b5 at T0 + 60.
        assert.equal(await store.journal.purgeOlderThan(T0 + 55), 3);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 1, [BOB]: 1 });
        assert.equal(await store.journal.removeAll(ALICE), 1);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 0 });
      });

      it('come back with a stored append that asks, counted in its own transaction', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [incoming('b1'), incoming('c1', { contact: CAROL })]);
        const results = await store.journal.appendBatch(
          [
            { account: BOB, entry: outgoing('s1', { contact: ALICE }) },
            { account: ALICE, entry: incoming('m1'), countUnread: true },
            { account: ALICE, entry: incoming('m2', { contact: CAROL }), countUnread: true },
            { account: ALICE, entry: incoming('b1'), countUnread: true },
            { account: CAROL, entry: outgoing('s2', { contact: ALICE }), countUnread: true },
          ],
          T0 + 10,
        );
        // The total once the transaction committed: both of its new unread entries counted. None for an
        // item that did not ask or stored nothing; 0 for an account without unread messages.
        assert.deepEqual(
          results.map((r) => [r.outcome, r.unreadTotal]),
          [
            ['stored', undefined],
            ['stored', 4],
            ['stored', 4],
            ['duplicate', undefined],
            ['stored', 0],
          ],
        );
        assert.equal((await store.journal.unread(ALICE)).total, 4);
        // Alone in its batch, and not unread itself.
        const [quiet] = await store.journal.appendBatch(
          [{ account: ALICE, entry: incoming('m3', { disposition: null }), countUnread: true }],
          T0 + 20,
        );
        assert.equal(quiet?.unreadTotal, 4);
        await store.journal.markConversationRead(ALICE, BOB, { now: T0 + 30 });
        const [after] = await store.journal.appendBatch(
          [{ account: ALICE, entry: incoming('m4'), countUnread: true }],
          T0 + 40,
        );
        assert.equal(after?.unreadTotal, 3);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 3, [BOB]: 1, [CAROL]: 2 });
        await assert.rejects(
          store.journal.appendBatch(
            [{ account: ALICE, entry: incoming('m5'), countUnread: 'yes' as unknown as boolean }],
            T0,
          ),
          InvalidInputError,
        );
      });
    });

    describe('operations', () => {
      it('markConversationRead empties every disposition of the conversation and journals its record', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [
          incoming('b1'),
          outgoing('b2'),
          incoming('b3', { disposition: null }),
          incoming('c1', { contact: CAROL }),
        ]);
        const result = await store.journal.markConversationRead(ALICE, BOB, {
          now: T0 + 10,
          record: record('read-1', 'application/sylk-conversation-read', BOB),
        });
        assert.equal(result.count, 3);
        assert.equal(result.record?.outcome, 'stored');
        assert.equal(result.record.entry.createdAt, T0 + 10);
        const entries = await everything(store, ALICE);
        assert.deepEqual(ids(entries), ['b1', 'b2', 'b3', 'c1', 'read-1']);
        for (const entry of entries.filter((e) => e.contact === BOB)) assert.deepEqual(entry.disposition, []);
        assert.deepEqual((await store.journal.get(ALICE, 'c1'))?.disposition, [
          'positive-delivery',
          'display',
        ]);
        assert.equal((await store.journal.get(ALICE, 'b2'))?.state, 'pending', 'state is not changed');
        // Reading again changes nothing; the record is optional.
        assert.deepEqual(await store.journal.markConversationRead(ALICE, BOB, { now: T0 }), {
          count: 0,
          record: undefined,
        });
        // An account without a journal: only the record.
        const first = await store.journal.markConversationRead(CAROL, BOB, {
          now: T0,
          record: record('read-2', 'application/sylk-conversation-read', BOB),
        });
        assert.equal(first.count, 0);
        assert.deepEqual(ids(await everything(store, CAROL)), ['read-2']);
      });

      it('removeMessage removes the entry, only when it matches, and journals the record', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, BOB, [
          incoming('m1', { contact: ALICE }),
          incoming('m9', { contact: CAROL }),
          outgoing('m2', { contact: ALICE }),
        ]);
        // Unsend by Alice: Bob's incoming copy from Alice only (sylk spec §8.34).
        const unsend = (id: string) =>
          store.journal.removeMessage(BOB, id, {
            now: T0 + 5,
            match: { contact: ALICE, direction: 'incoming' },
            record: (removed) =>
              removed === undefined
                ? undefined
                : record(
                    `rm-${id}`,
                    'application/sylk-message-remove',
                    removed.contact,
                    JSON.stringify({ id }),
                  ),
          });
        const refused = await unsend('m9');
        assert.deepEqual(refused, { removed: undefined, record: undefined });
        assert.deepEqual(await unsend('m2'), { removed: undefined, record: undefined });
        const done = await unsend('m1');
        assert.equal(done.removed?.messageId, 'm1');
        assert.equal(done.record?.entry.messageId, 'rm-m1');
        assert.equal(done.record.entry.direction, 'outgoing');
        assert.deepEqual(await unsend('m1'), { removed: undefined, record: undefined });
        assert.deepEqual(ids(await everything(store, BOB)), ['m9', 'm2', 'rm-m1']);
        // A fixed record is journaled whether or not something was removed (the WebSocket request, sylk spec
        // §1.4.10).
        const always = await store.journal.removeMessage(BOB, 'gone', {
          now: T0,
          record: record('rm-gone', 'application/sylk-message-remove', ALICE),
        });
        assert.equal(always.removed, undefined);
        assert.equal(always.record?.outcome, 'stored');
        // A removed id may be appended again (as in the reference: the id mapping went with the entry).
        assert.equal(
          (await store.journal.append(BOB, incoming('m1', { contact: ALICE }), T0 + 9)).outcome,
          'stored',
        );
      });

      it('an operation and its record commit together: a bad record rolls the removal back', async (t) => {
        const { store } = await fresh(t);
        await store.journal.append(ALICE, incoming('m1'), T0);
        await assert.rejects(
          store.journal.removeMessage(ALICE, 'm1', {
            now: T0,
            record: () => incoming('', { contentType: 'application/sylk-message-remove' }),
          }),
          InvalidInputError,
        );
        assert.equal((await store.journal.get(ALICE, 'm1'))?.messageId, 'm1');
        assert.deepEqual(await unreadOf(store, ALICE), { total: 1, [BOB]: 1 });
        // A record whose id exists already is a duplicate; the operation still applies.
        const result = await store.journal.markConversationRead(ALICE, BOB, {
          now: T0,
          record: incoming('m1'),
        });
        assert.equal(result.record?.outcome, 'duplicate');
        assert.deepEqual(await unreadOf(store, ALICE), { total: 0 });
      });

      it('removeConversation removes every entry of the contact, then journals its record', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [
          incoming('b1'),
          outgoing('b2'),
          incoming('imdn', { contentType: 'message/imdn', disposition: [] }),
          record('read', 'application/sylk-conversation-read', BOB),
          incoming('c1', { contact: CAROL }),
        ]);
        const result = await store.journal.removeConversation(ALICE, BOB, {
          now: T0 + 10,
          record: record('removed', 'application/sylk-conversation-remove', BOB),
        });
        assert.equal(result.count, 4);
        assert.deepEqual(ids(await everything(store, ALICE)), ['c1', 'removed']);
        assert.equal(
          (await store.journal.removeConversation(ALICE, 'nobody@example.com', { now: T0 })).count,
          0,
        );
      });

      it('counts entries and content types', async (t) => {
        const { store } = await fresh(t);
        await appendAll(store, ALICE, [
          incoming('a'),
          incoming('b'),
          incoming('c', { contentType: 'message/imdn' }),
          record('d', 'application/sylk-conversation-read', BOB),
        ]);
        assert.equal(await store.journal.count(ALICE), 4);
        assert.equal(await store.journal.count(BOB), 0);
        assert.deepEqual(
          await store.journal.contentTypeCounts(ALICE),
          new Map([
            ['application/sylk-conversation-read', 1],
            ['message/imdn', 1],
            ['text/plain', 2],
          ]),
        );
      });
    });

    describe('legacy history query (sylk spec §3.6)', () => {
      it('after a message, else after a time, else from the start; limit with hasMore', async (t) => {
        const { store } = await fresh(t);
        await appendAll(
          store,
          ALICE,
          ['e1', 'e2', 'e3', 'e4'].map((id) => incoming(id)),
          T0,
        );
        const history = (query: Parameters<Store['journal']['history']>[1]) =>
          store.journal.history(ALICE, query);
        const all = await history({ limit: 5000 });
        assert.deepEqual(ids(all.entries), ['e1', 'e2', 'e3', 'e4']);
        assert.equal(all.from, 'start');
        assert.equal(all.hasMore, false);
        assert.deepEqual(ids((await history({ messageId: 'e1', limit: 5000 })).entries), ['e2', 'e3', 'e4']);
        const last = await history({ messageId: 'e4', limit: 5000 });
        assert.deepEqual(last.entries, []);
        assert.equal(last.from, 'message');
        assert.equal(last.next, (await store.journal.get(ALICE, 'e4'))?.cursor);
        assert.deepEqual(ids((await history({ messageId: '', limit: 1 })).entries), ['e1']);
        assert.deepEqual(ids((await history({ messageId: null, limit: 1 })).entries), ['e1']);
        // Unknown id: as the reference (since, else everything), and said so.
        const unknown = await history({ messageId: 'nope', limit: 2 });
        assert.deepEqual(ids(unknown.entries), ['e1', 'e2']);
        assert.equal(unknown.unknownMessageId, true);
        assert.equal(unknown.hasMore, true);
        // since: strictly after, on storage time; e1 was stored at T0.
        const since = await history({ since: T0, limit: 5000 });
        assert.deepEqual(ids(since.entries), ['e2', 'e3', 'e4']);
        assert.equal(since.from, 'since');
        assert.deepEqual(ids((await history({ since: T0 - 1, limit: 5000 })).entries), [
          'e1',
          'e2',
          'e3',
          'e4',
        ]);
        assert.deepEqual(ids((await history({ messageId: 'nope', since: T0 + 1, limit: 5000 })).entries), [
          'e3',
          'e4',
        ]);
        // A known id wins over since.
        assert.deepEqual(ids((await history({ messageId: 'e3', since: T0 - 1, limit: 5000 })).entries), [
          'e4',
        ]);
        const none = await history({ since: T0 + 100, limit: 5000 });
        assert.deepEqual(none.entries, []);
        assert.equal(none.next, (await store.journal.get(ALICE, 'e4'))?.cursor);
        // Paging by the last message id, as the HTTP clients do.
        let seen: string[] = [];
        let page = await history({ limit: 3 });
        seen = seen.concat(ids(page.entries));
        while (page.hasMore) {
          page = await history({ messageId: page.entries.at(-1)?.messageId, limit: 3 });
          seen = seen.concat(ids(page.entries));
        }
        assert.deepEqual(seen, ['e1', 'e2', 'e3', 'e4']);
        assert.deepEqual(await store.journal.history(BOB, { limit: 10 }), {
          entries: [],
          hasMore: false,
          next: JOURNAL_START,
          from: 'start',
          unknownMessageId: false,
        });
      });
    });

    describe('retention', () => {
      it('purgeOlderThan deletes what was stored before the cutoff, in chunks, and says how many', async (t) => {
        const { store } = await fresh(t);
        const old = Array.from({ length: 4500 }, (_, i) => ({
          account: i % 3 === 0 ? BOB : ALICE,
          entry: incoming(`old-${i}`, { contact: i % 2 === 0 ? CAROL : 'dave@example.com' }),
        }));
        for (let i = 0; i < old.length; i += 500) await store.journal.appendBatch(old.slice(i, i + 500), T0);
        await appendAll(store, ALICE, [incoming('new-1'), incoming('new-2')], T0 + DAY);
        const cursor = (await store.journal.get(ALICE, 'new-1'))?.cursor;
        assert.equal(await store.journal.purgeOlderThan(T0), 0, 'strictly before the cutoff');
        assert.equal(await store.journal.purgeOlderThan(T0 + 1), 4500);
        assert.deepEqual(ids(await everything(store, ALICE)), ['new-1', 'new-2']);
        assert.equal(await store.journal.count(BOB), 0);
        assert.deepEqual(ids((await store.journal.after(ALICE, cursor, 10)).entries), ['new-2']);
        assert.deepEqual(await unreadOf(store, ALICE), { total: 2, [BOB]: 2 });
        assert.deepEqual(await unreadOf(store, BOB), { total: 0 });
        assert.equal(await store.journal.purgeOlderThan(T0 + 1), 0);
        // The default retention is a year.
        assert.equal(retentionCutoff(T0), T0 - 365 * DAY);
        assert.equal(retentionCutoff(T0, DAY), T0 - DAY);
        await assert.rejects(store.journal.purgeOlderThan(-1), InvalidInputError);
      });
    });

    describe('storage accounts and API tokens', () => {
      it('touch creates the account or refreshes its last login', async (t) => {
        const { store } = await fresh(t);
        assert.equal(await store.storageAccounts.get(ALICE), undefined);
        await store.storageAccounts.touch(ALICE, T0);
        assert.deepEqual(await store.storageAccounts.get(ALICE), { account: ALICE, lastLogin: T0 });
        await store.storageAccounts.touch(ALICE, T0 + 5);
        assert.deepEqual(await store.storageAccounts.get(ALICE), { account: ALICE, lastLogin: T0 + 5 });
        assert.equal(await store.storageAccounts.remove(ALICE), true);
        assert.equal(await store.storageAccounts.remove(ALICE), false);
        assert.equal(await store.storageAccounts.get(ALICE), undefined);
      });

      it('tokens: hashed, one per account, replaced, expiring at the configured lifetime', async (t) => {
        const { target, store } = await fresh(t);
        const accounts = store.storageAccounts;
        const token = generateApiToken();
        assert.match(token, /^[A-Za-z0-9_-]{43}$/);
        assert.notEqual(generateApiToken(), token);
        await accounts.touch(ALICE, T0);
        await accounts.setToken(ALICE, token, T0 + 1);
        assert.deepEqual(await accounts.get(ALICE), {
          account: ALICE,
          lastLogin: T0,
          tokenExpiresAt: T0 + 1 + DEFAULT_TOKEN_LIFETIME_MS,
        });
        assert.equal(DEFAULT_TOKEN_LIFETIME_MS, 2_678_400_000);
        assert.equal(await accounts.accountForToken(token, T0 + 2), ALICE);
        assert.equal(await accounts.verifyToken(ALICE, token, T0 + 2), true);
        assert.equal(await accounts.verifyToken(BOB, token, T0 + 2), false, "another account's token");
        assert.equal(await accounts.verifyToken(ALICE, `${token.slice(0, -1)}x`, T0 + 2), false);
        assert.equal(await accounts.verifyToken(ALICE, '', T0 + 2), false);
        // Stored as its SHA-256 only.
        const rows = await target.query(`SELECT * FROM ${target.table('missive_storage_account')}`);
        assert.equal(rows[0]?.token_hash, createHash('sha256').update(token).digest('hex'));
        assert.ok(!JSON.stringify(rows).includes(token));
        // Expiry, with the caller's clock: valid until the last millisecond before it.
        const expires = T0 + 1 + DEFAULT_TOKEN_LIFETIME_MS;
        assert.equal(await accounts.accountForToken(token, expires - 1), ALICE);
        assert.equal(await accounts.accountForToken(token, expires), undefined);
        assert.equal(await accounts.verifyToken(ALICE, token, expires), false);
        // A new token replaces the old one; a configured lifetime.
        const second = generateApiToken();
        await accounts.setToken(ALICE, second, T0 + 10, 60_000);
        assert.equal(await accounts.accountForToken(token, T0 + 11), undefined);
        assert.equal(await accounts.verifyToken(ALICE, token, T0 + 11), false);
        assert.equal(await accounts.verifyToken(ALICE, second, T0 + 11), true);
        assert.equal(await accounts.verifyToken(ALICE, second, T0 + 10 + 60_000), false);
        // setToken creates the account when needed; removeToken revokes.
        const bobToken = generateApiToken();
        await accounts.setToken(BOB, bobToken, T0);
        assert.equal((await accounts.get(BOB))?.lastLogin, T0);
        assert.equal(await accounts.accountForToken(bobToken, T0 + 1), BOB);
        assert.equal(await accounts.removeToken(BOB), true);
        assert.equal(await accounts.removeToken(BOB), false);
        assert.equal(await accounts.accountForToken(bobToken, T0 + 1), undefined);
        assert.deepEqual(await accounts.get(BOB), { account: BOB, lastLogin: T0 });
        assert.equal(await accounts.accountForToken(generateApiToken(), T0), undefined);
        await assert.rejects(accounts.setToken(ALICE, 'short', T0), InvalidInputError);
        await assert.rejects(accounts.setToken(ALICE, token, T0, 0), InvalidInputError);
      });
    });

    describe('public keys', () => {
      it('one key per account, last write wins', async (t) => {
        const { store } = await fresh(t);
        const key = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${'mQINBGV'.repeat(2000)}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
        assert.equal(await store.publicKeys.get(ALICE), undefined);
        await store.publicKeys.set(ALICE, key, T0);
        assert.deepEqual(await store.publicKeys.get(ALICE), { account: ALICE, key, updatedAt: T0 });
        await store.publicKeys.set(ALICE, 'second key', T0 + 1);
        assert.deepEqual(await store.publicKeys.get(ALICE), {
          account: ALICE,
          key: 'second key',
          updatedAt: T0 + 1,
        });
        assert.equal(await store.publicKeys.get(BOB), undefined);
        await assert.rejects(store.publicKeys.set(BOB, '  ', T0), InvalidInputError);
        assert.equal(await store.publicKeys.remove(ALICE), true);
        assert.equal(await store.publicKeys.remove(ALICE), false);
        assert.equal(await store.publicKeys.get(ALICE), undefined);
      });
    });

    describe('push tokens (sylk spec §3.9)', () => {
      it('upsert by (account, app, device), list, remove', async (t) => {
        const { store } = await fresh(t);
        const ios: PushToken = {
          account: BOB,
          appId: 'com.x',
          deviceId: 'd1',
          token: 'voip123',
          backgroundToken: 'bg456',
          platform: 'ios',
          silent: true,
          userAgent: 'Sylk/6 «iOS»',
          updatedAt: T0,
        };
        const android: PushToken = {
          account: BOB,
          appId: 'com.x',
          deviceId: 'd2',
          token: 'fcm789',
          platform: 'android',
          silent: false,
          updatedAt: T0,
        };
        await store.pushTokens.upsert(android);
        await store.pushTokens.upsert(ios);
        await store.pushTokens.upsert({ ...ios, account: ALICE });
        assert.deepEqual(await store.pushTokens.list(BOB), [ios, android]);
        const renewed: PushToken = { ...ios, token: 'voip999', updatedAt: T0 + 1 };
        delete (renewed as { backgroundToken?: string }).backgroundToken;
        await store.pushTokens.upsert(renewed);
        assert.deepEqual(await store.pushTokens.list(BOB), [renewed, android]);
        assert.equal(await store.pushTokens.remove(BOB, 'com.x', 'd1'), true);
        assert.equal(await store.pushTokens.remove(BOB, 'com.x', 'd1'), false);
        assert.deepEqual(await store.pushTokens.list(BOB), [android]);
        assert.equal(await store.pushTokens.removeAll(BOB), 1);
        assert.deepEqual(await store.pushTokens.list(BOB), []);
        assert.equal((await store.pushTokens.list(ALICE)).length, 1);
        await assert.rejects(store.pushTokens.upsert({ ...ios, appId: '' }), InvalidInputError);
        await assert.rejects(
          store.pushTokens.upsert({ ...ios, silent: 1 as unknown as boolean }),
          InvalidInputError,
        );
      });
    });

    describe('durability and lifecycle', () => {
      it('an append that resolved survives the writer being killed (SIGKILL) right after', async () => {
        const target = await backend.fresh();
        const result = await runTypeScript(
          'test/store/fixtures/append-then-die.ts',
          [target.uri, 'durable-1'],
          {
            timeoutMs: PROCESS_START_MS,
          },
        );
        assert.equal(result.signal, 'SIGKILL', result.stderr);
        assert.equal(result.stdout, 'written\n');
        const store = await openStore(target.uri);
        try {
          assert.equal((await store.journal.get(ALICE, 'durable-1'))?.content, 'hello durable-1');
          assert.equal((await store.journal.unread(ALICE)).total, 1);
        } finally {
          await store.close();
        }
      });

      it('operations after close reject with StoreError', async () => {
        const target = await backend.fresh();
        const store = await openStore(target.uri);
        await store.close();
        await assert.rejects(store.journal.append(ALICE, incoming('m'), T0), StoreError);
        await assert.rejects(store.journal.latest(ALICE, 10), StoreError);
        await assert.rejects(store.journal.markConversationRead(ALICE, BOB, { now: T0 }), StoreError);
        await assert.rejects(store.journal.purgeOlderThan(T0), StoreError);
        await assert.rejects(store.storageAccounts.get(ALICE), StoreError);
        await assert.rejects(store.publicKeys.get(ALICE), StoreError);
        await assert.rejects(store.pushTokens.list(ALICE), StoreError);
      });
    });
  });
}
