// The SQLite journal writer's thread: a read made right after an acknowledged write sees it (the reads are on
// the server's connection, the writes on the thread's), and a thread that stops fails its callers with
// StoreErrors instead of leaving them waiting, after which the next call starts a new thread.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, StoreError } from '../../src/store/index.js';
import { startJournalWorker } from '../../src/store/sqlite/journal-calls.js';
import { startWorker, WorkerCalls } from '../../src/store/sqlite/worker-calls.js';
import { ALICE, BOB, CAROL, incoming, outgoing, T0 } from './journal-entries.js';

const CALLS_WORKER = new URL('./fixtures/calls-worker.ts', import.meta.url);

function isStoreError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, `not a StoreError: ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('SQLite journal writer thread', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-journal-thread-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a read made as soon as an append is acknowledged sees it, under concurrent appends', async () => {
    const store = await openStore(`sqlite://${join(dir, 'read-after-write.db')}`);
    try {
      const accounts = [ALICE, BOB, CAROL];
      const checks = Array.from({ length: 300 }, async (_, n) => {
        const account = accounts[n % accounts.length] ?? ALICE;
        const entry = n % 2 === 0 ? incoming(`m${n}`) : outgoing(`m${n}`);
        const appended = await store.journal.append(account, entry, T0 + n);
        assert.equal(appended.outcome, 'stored');
        // Nothing in between: the very next thing this caller does is read.
        const read = await store.journal.get(account, `m${n}`);
        assert.deepEqual(read, appended.entry);
      });
      await Promise.all(checks);
      const batch = await store.journal.appendBatch(
        [
          { account: ALICE, entry: incoming('last') },
          { account: BOB, entry: outgoing('last') },
        ],
        T0 + 1000,
      );
      assert.deepEqual(await store.journal.get(ALICE, 'last'), batch[0]?.entry);
      assert.deepEqual(await store.journal.get(BOB, 'last'), batch[1]?.entry);
      assert.equal(await store.journal.count(ALICE), 101);
    } finally {
      await store.close();
    }
  });

  it('fails the calls a thread had not answered when it exits, and starts a new one for the next call', async () => {
    const calls = new WorkerCalls('the test worker', () => startWorker(CALLS_WORKER, undefined));
    try {
      assert.equal(await calls.call('echo', ['one']), 'one');
      const exit = calls.call('exit', []);
      const queued = calls.call('echo', ['never answered']);
      await Promise.all([
        assert.rejects(exit, isStoreError(/the test worker stopped \(exit code 3\)/)),
        assert.rejects(queued, isStoreError(/the test worker stopped/)),
      ]);
      assert.equal(await calls.call('echo', ['two']), 'two');
      await assert.rejects(
        calls.call('throw', []),
        isStoreError(/the test worker failed: thrown in the worker/),
      );
      assert.equal(await calls.call('echo', ['three']), 'three');
    } finally {
      await calls.close();
    }
  });

  it('answers the calls made before close, and refuses calls after it', async () => {
    const calls = new WorkerCalls('the test worker', () => startWorker(CALLS_WORKER, undefined));
    const before = [calls.call('echo', [1]), calls.call('echo', [2])];
    await calls.close();
    assert.deepEqual(await Promise.all(before), [1, 2]);
    await assert.rejects(calls.call('echo', [3]), isStoreError(/the store is closed/));
  });

  it('a journal writer that cannot open its database fails the write with a StoreError', async () => {
    const path = join(dir, 'no-such-dir', 'x.db');
    const calls = new WorkerCalls('the SQLite journal writer', () =>
      startJournalWorker({ path, busyTimeoutMs: 100 }),
    );
    try {
      await assert.rejects(
        calls.call('removeAll', [ALICE]),
        isStoreError(/the SQLite journal writer failed: .*(unable to open|directory does not exist)/),
      );
    } finally {
      await calls.close();
    }
  });
});
