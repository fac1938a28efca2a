// The page byte budget (sylk spec §8.41) over real HTTP on SQLite and PostgreSQL, as a property: for random entry
// sizes (escapes and multi-byte characters included), budgets and page sizes, a client that follows each
// API's paging (legacy: X-Missive-Has-More and the last message_id; cursor API: has_more and next, forward
// and backward) reads every entry exactly once, intact; every body is within the budget unless it holds a
// single entry, says its exact Content-Length, and stops only when the next entry would not have fitted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Hono } from 'hono';
import { generateApiToken, type NewEntry, openStore, type Store } from '../../src/store/index.js';
import { addHistoryRoutes } from '../../src/web/history-routes.js';
import { WebServer } from '../../src/web/http-server.js';
import { addJournalRoutes } from '../../src/web/journal-routes.js';
import { fitPage } from '../../src/web/page-budget.js';
import type { WebEnv } from '../../src/web/peer.js';
import { TokenCheck } from '../../src/web/token-check.js';
import { TokenFailureLog } from '../../src/web/token-failure-log.js';
import { SourceFailureLimiter } from '../../src/web/failure-gate.js';
import { ManualClock } from '../support/manual-clock.js';
import type { ConformanceBackend } from '../store/backends.js';
import { incoming } from '../store/journal-entries.js';
import { apikey, BACKENDS, T0 } from './harness.js';

const HISTORY = '/webrtcgateway/messages/history';
const JOURNAL = '/webrtcgateway/messages/journal';
/** Pieces a content is repeated from: JSON escapes (1 → 2 or 6 bytes), 2-, 3- and 4-byte UTF-8. */
const ALPHABETS = ['a', '"\\', '\n\u0001', 'é', '€x', '😀', 'ab\u00ffc'];

type Message = Record<string, unknown> & { readonly message_id: string; readonly content: string };

interface Page {
  readonly body: string;
  readonly bytes: number;
  readonly messages: readonly Message[];
  readonly more: boolean;
  readonly next?: string;
}

interface Case {
  readonly contents: readonly string[];
  readonly budget: number;
  readonly limit: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  contents: fc.array(
    fc
      .tuple(
        fc.constantFrom(...ALPHABETS),
        fc.oneof(fc.nat(40), fc.integer({ min: 200, max: 3000 }), fc.integer({ min: 5000, max: 20_000 })),
      )
      .map(([alphabet, n]) => alphabet.repeat(Math.ceil(n / alphabet.length))),
    { minLength: 0, maxLength: 24 },
  ),
  budget: fc.integer({ min: 150, max: 40_000 }),
  limit: fc.integer({ min: 1, max: 8 }),
});

/** A page server on the store with this budget and page size (the legacy route's 5000 made small). */
async function serve(
  store: Store,
  budget: number,
  limit: number,
): Promise<{ base: string; close(): Promise<void> }> {
  const app = new Hono<WebEnv>();
  const clock = new ManualClock(T0);
  const tokens = new TokenCheck({
    accounts: store.storageAccounts,
    clock,
    gate: new SourceFailureLimiter(clock),
    failures: new TokenFailureLog({ clock }),
  });
  const options = { journal: store.journal, tokens, maxPageBytes: budget };
  addHistoryRoutes(app, { ...options, pageLimit: limit });
  addJournalRoutes(app, options);
  const server = new WebServer({ fetch: (request, peer) => app.fetch(request, { peer }), upgrades: {} });
  const address = await server.listen('127.0.0.1', 0);
  return { base: `http://127.0.0.1:${String(address.port)}`, close: () => server.close() };
}

async function fetchPage(url: string, token: string, cursorApi: boolean): Promise<Page> {
  const response = await fetch(url, { headers: apikey(token) });
  assert.equal(response.status, 200, url);
  const raw = Buffer.from(await response.arrayBuffer());
  assert.equal(response.headers.get('content-length'), String(raw.length), 'Content-Length is exact');
  const body = raw.toString('utf8');
  if (!cursorApi) {
    const parsed = JSON.parse(body) as { messages: Message[] };
    const more = response.headers.get('x-missive-has-more') === 'true';
    return { body, bytes: raw.length, messages: parsed.messages, more };
  }
  const parsed = JSON.parse(body) as { entries: Message[]; next: string; has_more: boolean };
  return { body, bytes: raw.length, messages: parsed.entries, more: parsed.has_more, next: parsed.next };
}

/** Each page within the budget (or a single entry), and full: the entry after the cut would not have fitted. */
function assertBounded(page: Page, following: Message | undefined, budget: number, limit: number): void {
  const n = page.messages.length;
  assert.ok(page.bytes <= budget || n === 1, `${page.bytes} bytes > ${budget} with ${n} entries`);
  if (page.more) assert.ok(n > 0, 'a page that says more follows carries something');
  if (page.more && n < limit && following !== undefined) {
    // The cursor API reserves room for its longest tail (a 12-character next, has_more false).
    const reserved = page.next === undefined ? 0 : 12 - page.next.length + 1; // "true" vs "false"
    const needed = Buffer.byteLength(JSON.stringify(following)) + 1;
    const used = page.bytes + reserved;
    assert.ok(used + needed > budget, `stopped early: ${used} + ${needed} <= ${budget}`);
  }
}

/** Pages in reading order → the entries in journal order, checked against what was stored. */
function assertComplete(
  pages: readonly Page[],
  order: 'forward' | 'backward',
  expected: readonly NewEntry[],
  budget: number,
  limit: number,
): void {
  const flat = (order === 'forward' ? pages : [...pages].reverse()).flatMap((page) => page.messages);
  assert.deepEqual(
    flat.map((m) => [m.message_id, m.content]),
    expected.map((e) => [e.messageId, e.content]),
    `${order}: every entry exactly once, intact`,
  );
  pages.forEach((page, i) => {
    const later = pages[i + 1]?.messages;
    const following = order === 'forward' ? later?.[0] : later?.at(-1);
    assertBounded(page, following, budget, limit);
  });
  assert.equal(pages.at(-1)?.more, false);
}

async function readAll(base: string, account: string, token: string, limit: number) {
  const history: Page[] = [];
  for (let last = ''; ; ) {
    const page = await fetchPage(`${base}${HISTORY}/${account}${last}`, token, false);
    history.push(page);
    if (!page.more) break;
    last = `/${page.messages.at(-1)?.message_id ?? ''}`;
  }
  const forward: Page[] = [];
  for (let cursor = 'j0'; ; ) {
    const page = await fetchPage(`${base}${JOURNAL}/${account}?after=${cursor}&limit=${limit}`, token, true);
    forward.push(page);
    if (!page.more) break;
    cursor = page.next ?? '';
  }
  const backward: Page[] = [];
  for (let query = `?limit=${limit}`; ; ) {
    const page = await fetchPage(`${base}${JOURNAL}/${account}${query}`, token, true);
    backward.push(page);
    if (!page.more) break;
    query = `?before=${page.next ?? ''}&limit=${limit}`;
  }
  return { history, forward, backward };
}

for (const { name, make } of BACKENDS) {
  describe(`page byte budget (${name})`, { timeout: 300_000 }, () => {
    let backend: ConformanceBackend;
    let store: Store;

    before(async () => {
      backend = await make();
      store = await openStore((await backend.fresh()).uri);
    });
    after(async () => {
      await store.close();
      await backend.close();
    });

    test('following the paging reads every entry exactly once, each page within the budget', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ contents, budget, limit }) => {
          const account = `p${String(run++)}@example.com`;
          const token = generateApiToken();
          await store.storageAccounts.setToken(account, token, T0);
          const entries = contents.map((content, i) => incoming(`m${String(i)}`, { content }));
          await store.journal.appendBatch(
            entries.map((entry) => ({ account, entry })),
            T0,
          );
          const server = await serve(store, budget, limit);
          try {
            const pages = await readAll(server.base, account, token, limit);
            assertComplete(pages.history, 'forward', entries, budget, limit);
            assertComplete(pages.forward, 'forward', entries, budget, limit);
            assertComplete(pages.backward, 'backward', entries, budget, limit);
          } finally {
            await server.close();
          }
        }),
        { numRuns: name === 'SQLite' ? 40 : 20 },
      );
    });

    test('an entry larger than the whole budget comes alone; the next page carries on', async () => {
      const account = 'big@example.com';
      const token = generateApiToken();
      await store.storageAccounts.setToken(account, token, T0);
      const entries = ['small', 'y'.repeat(3 << 20), 'tiny'].map((content, i) =>
        incoming(`b${String(i)}`, { content }),
      );
      for (const entry of entries) await store.journal.append(account, entry, T0);
      const server = await serve(store, 4096, 5000);
      try {
        const pages = await readAll(server.base, account, token, 5000);
        for (const read of [pages.history, pages.forward]) {
          assert.deepEqual(
            read.map((page) => page.messages.map((m) => m.message_id)),
            [['b0'], ['b1'], ['b2']],
          );
          assert.deepEqual(
            read.map((page) => page.more),
            [true, true, false],
          );
          assert.ok((read[1]?.bytes ?? 0) > 3 << 20);
        }
        assert.deepEqual(
          pages.backward.map((page) => page.messages.map((m) => m.message_id)),
          [['b2'], ['b1'], ['b0']],
        );
      } finally {
        await server.close();
      }
    });
  });
}

describe('fitPage', () => {
  const serialise = (n: number): string => 'x'.repeat(n);
  test('keeps the oldest (forward) or the newest (backward) entries that fit, commas counted', () => {
    const forward = fitPage([3, 3, 3, 3], serialise, { budget: 10 + 10, fixedBytes: 10, keep: 'first' });
    assert.deepEqual([forward.chunks.map(String), forward.dropped], [['xxx', 'xxx'], 2]);
    const whole = fitPage([3, 3, 3], serialise, { budget: 10 + 11, fixedBytes: 10, keep: 'first' });
    assert.deepEqual([whole.chunks.length, whole.dropped], [3, 0], '3 + 1 + 3 + 1 + 3 = 11 fits exactly');
    const backward = fitPage([1, 2, 3, 4], serialise, { budget: 9, fixedBytes: 0, keep: 'last' });
    assert.deepEqual([backward.chunks.map(String), backward.dropped], [['xxx', 'xxxx'], 2]);
  });

  test('the first entry is kept whatever its size; none given, none kept', () => {
    const alone = fitPage([50, 1], serialise, { budget: 20, fixedBytes: 10, keep: 'first' });
    assert.deepEqual([alone.chunks.map((c) => c.length), alone.dropped], [[50], 1]);
    const last = fitPage([1, 50], serialise, { budget: 20, fixedBytes: 10, keep: 'last' });
    assert.deepEqual([last.chunks.map((c) => c.length), last.dropped], [[50], 1]);
    assert.deepEqual(fitPage([], serialise, { budget: 1, fixedBytes: 5, keep: 'first' }), {
      chunks: [],
      dropped: 0,
    });
  });

  test('counts UTF-8 bytes, not characters', () => {
    const page = fitPage(['é', '€', '😀'], (s) => s, { budget: 2 + 1 + 3, fixedBytes: 0, keep: 'first' });
    assert.deepEqual(page.chunks.map(String), ['é', '€']);
  });
});
