// Group commit on the real SQL backends (SQLite, PostgreSQL): concurrent appends share transactions
// (observed through onJournalCommit), each account's entries keep the order the appends were made in, and
// a transaction that fails (a trigger refusing one entry) fails its callers and stores none of its items,
// while the appends before and after it are stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppendResult, type JournalEntry, openStore, type Store } from '../../src/store/index.js';
import { type ConformanceBackend, postgresBackend, sqliteBackend, type StoreTarget } from './backends.js';
import { ALICE, BOB, CAROL, incoming, outgoing, T0 } from './journal-entries.js';

const TIMEOUT = { timeout: 120_000 };
const DAVE = 'dave@example.com';
const ACCOUNTS = [ALICE, BOB, CAROL, DAVE];

async function everything(store: Store, account: string): Promise<JournalEntry[]> {
  const all: JournalEntry[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.journal.after(account, cursor, 100);
    all.push(...page.entries);
    cursor = page.next;
    if (!page.hasMore) return all;
  }
}

/** A trigger that makes any insert of the message id 'poison' fail. */
async function poison(target: StoreTarget, backend: string): Promise<void> {
  const journal = target.table('missive_journal');
  if (backend === 'SQLite') {
    await target.query(
      `CREATE TRIGGER poison BEFORE INSERT ON ${journal} WHEN NEW.message_id = 'poison' ` +
        "BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
    );
    return;
  }
  const fn = target.table('poison');
  await target.query(
    `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
      "IF NEW.message_id = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$",
  );
  await target.query(
    `CREATE TRIGGER poison BEFORE INSERT ON ${journal} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  );
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

for (const open of [sqliteBackend, postgresBackend]) {
  describe(`journal group commit: ${open.name.replace('Backend', '')}`, TIMEOUT, () => {
    let backend: ConformanceBackend;
    before(async () => {
      backend = await open();
    });
    after(() => backend.close());

    async function fresh(commits: number[]): Promise<{ target: StoreTarget; store: Store }> {
      const target = await backend.fresh();
      const store = await openStore(target.uri, { onJournalCommit: (items) => commits.push(items) });
      return { target, store };
    }

    it('writes concurrent appends in fewer transactions, each account in the order of its appends', async () => {
      const commits: number[] = [];
      const { store } = await fresh(commits);
      try {
        // Ten waves of 20 appends, each wave made while the earlier ones are being written; every fifth is
        // a batch of two (a MESSAGE's two copies), as the messaging service makes them.
        const made = new Map<string, string[]>(ACCOUNTS.map((account) => [account, []]));
        const pending: Promise<AppendResult | AppendResult[]>[] = [];
        let appends = 0;
        for (let wave = 0; wave < 10; wave++) {
          for (let i = 0; i < 20; i++) {
            const n = wave * 20 + i;
            const account = ACCOUNTS[n % ACCOUNTS.length] ?? ALICE;
            const id = `m${n}`;
            made.get(account)?.push(id);
            if (n % 5 === 0) {
              const other = ACCOUNTS[(n + 1) % ACCOUNTS.length] ?? BOB;
              made.get(other)?.push(id);
              pending.push(
                store.journal.appendBatch(
                  [
                    { account, entry: incoming(id, { contact: other }) },
                    { account: other, entry: outgoing(id, { contact: account }) },
                  ],
                  T0 + n,
                ),
              );
              appends += 2;
            } else {
              pending.push(store.journal.append(account, incoming(id), T0 + n));
              appends++;
            }
          }
          await nextTurn();
        }
        const results = (await Promise.all(pending)).flat();
        assert.equal(results.length, appends);
        assert.ok(
          results.every((result) => result.outcome === 'stored'),
          'every append stored',
        );
        // Each append was in exactly one committed transaction, and transactions held several.
        assert.equal(
          commits.reduce((a, b) => a + b, 0),
          appends,
        );
        assert.ok(commits.length < appends, `${commits.length} transactions for ${appends} appends`);
        for (const account of ACCOUNTS) {
          const entries = await everything(store, account);
          assert.deepEqual(
            entries.map((entry) => entry.messageId),
            made.get(account),
            `${account}: the journal keeps the order of the appends`,
          );
          for (let i = 1; i < entries.length; i++) {
            assert.ok(
              (entries[i]?.createdAt ?? 0) >= (entries[i - 1]?.createdAt ?? 0),
              'createdAt never goes back',
            );
          }
        }
      } finally {
        await store.close();
      }
    });

    it('fails the callers of a failed transaction and stores none of its items; others are stored', async () => {
      const commits: number[] = [];
      const { target, store } = await fresh(commits);
      try {
        await poison(target, backend.name);
        const before = await Promise.all([
          store.journal.append(ALICE, incoming('a1'), T0),
          store.journal.append(BOB, incoming('a2'), T0),
        ]);
        assert.deepEqual(
          before.map((r) => r.outcome),
          ['stored', 'stored'],
        );
        // Made together, so written in one transaction, which the poisoned entry fails.
        const group = await Promise.allSettled([
          store.journal.append(ALICE, incoming('poison'), T0 + 1),
          store.journal.append(BOB, incoming('b1'), T0 + 1),
          store.journal.append(CAROL, incoming('b2'), T0 + 1),
        ]);
        for (const outcome of group) {
          assert.equal(outcome.status, 'rejected');
          assert.match((outcome.reason as Error).message, /poisoned/);
        }
        const afterwards = await store.journal.append(CAROL, incoming('c1'), T0 + 2);
        assert.equal(afterwards.outcome, 'stored');
        assert.deepEqual(
          (await everything(store, ALICE)).map((e) => e.messageId),
          ['a1'],
        );
        assert.deepEqual(
          (await everything(store, BOB)).map((e) => e.messageId),
          ['a2'],
        );
        assert.deepEqual(
          (await everything(store, CAROL)).map((e) => e.messageId),
          ['c1'],
        );
        assert.equal((await store.journal.unread(ALICE)).total, 1, 'the failed entry left no unread count');
        // The failed group is not counted as committed.
        assert.equal(
          commits.reduce((a, b) => a + b, 0),
          3,
        );
      } finally {
        await store.close();
      }
    });
  });
}
