// What a stored MESSAGE costs in PostgreSQL round trips, counted where the store sends each statement
// (OpenStoreOptions.onStatement): from the MESSAGE to its 200 and the recipient's push with its badge. A
// regression test for the round trips issue 18 cut (storage accounts remembered, the admission's reads of
// every journal in one statement, the badge's unread total counted by the append).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConformanceBackend, postgresBackend } from '../store/backends.js';
import { EVENT_WAIT_MS, eventually } from '../support/wait.js';
import { DOMAIN, inject, startApp, unreadCpim } from './app-fixture.js';

const A = `alice@${DOMAIN}`;
const B = `bob@${DOMAIN}`;
/**
 * 5 at first (the storage account, the id check and the usage of the journal, the append, the badge's unread
 * count); now the storage account is remembered, the id check and usage are one statement, and the append
 * returns the unread total.
 */
const MAX_STATEMENTS = 2;

describe('a stored MESSAGE on PostgreSQL', { timeout: 120_000 }, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await postgresBackend();
  });
  after(() => backend.close());

  it(`costs at most ${MAX_STATEMENTS} statements from the MESSAGE to its 200 and push`, async () => {
    const statements: string[] = [];
    const app = await startApp(backend, 'behind-proxy', { onStatement: (text) => statements.push(text) });
    try {
      for (const account of [A, B]) await app.store.storageAccounts.touch(account, Date.now());
      const alice = await app.agent('alice');
      const pushes = (): number => app.eventsFor('push', B).length;
      // Asking for display, so that each counts as unread and the badge has something to count.
      const send = (id: string) =>
        inject(alice, { to: B, contentType: 'message/cpim', body: unreadCpim(A, B, id) });
      // The first MESSAGE finds out who has storage; the count is of the next one.
      assert.equal((await send('first')).status, 200);
      await eventually(() => pushes() === 1, 'the first push', { timeoutMs: EVENT_WAIT_MS });
      statements.length = 0;
      assert.equal((await send('second')).status, 200);
      await eventually(() => pushes() === 2, 'the second push', { timeoutMs: EVENT_WAIT_MS });
      assert.ok(
        statements.length <= MAX_STATEMENTS,
        `${statements.length} statements:\n${statements.map((s) => s.slice(0, 120)).join('\n')}`,
      );
      assert.equal(await app.store.journal.count(B), 2);
      // The badge the append counted: both MESSAGEs unread.
      assert.deepEqual(
        app.eventsFor('push', B).map((event) => (event.kind === 'push' ? event.push.badge : undefined)),
        [1, 2],
      );
    } finally {
      await app.close();
    }
  });
});
