// GroupCommitWriter over a stand-in backend whose transactions the test finishes by hand: which appends
// share a transaction, that each caller gets its own results, that a failed transaction fails exactly its
// callers, and that groups are bounded and written in arrival order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type GroupAppender,
  GroupCommitWriter,
  type TimedAppendItem,
} from '../../src/store/journal/group-commit.js';
import type { AppendResult } from '../../src/store/journal/types.js';
import type { JournalWriter } from '../../src/store/journal/writer.js';
import { ALICE, BOB, incoming, T0 } from './journal-entries.js';

interface Transaction {
  readonly items: readonly TimedAppendItem[];
  commit(): void;
  fail(error: Error): void;
}

/** A backend whose every appendGroup is a transaction left open until the test commits or fails it. */
function openTransactions() {
  const transactions: Transaction[] = [];
  const notUsed = (): never => {
    throw new Error('not used by these tests');
  };
  const backend: JournalWriter & GroupAppender = {
    appendGroup: (items) =>
      new Promise<AppendResult[]>((resolve, reject) => {
        transactions.push({
          items,
          commit: () => {
            resolve(
              items.map((item, i) => ({
                outcome: 'stored',
                entry: {
                  ...item.entry,
                  account: item.account,
                  cursor: String(i),
                  createdAt: item.now,
                  unread: false,
                },
              })),
            );
          },
          fail: reject,
        });
      }),
    append: notUsed,
    appendBatch: notUsed,
    updateState: notUsed,
    markConversationRead: notUsed,
    removeMessage: notUsed,
    removeConversation: notUsed,
    removeAll: notUsed,
    purgeChunk: notUsed,
  };
  return { transactions, backend };
}

/** Waits until the writer has opened `n` transactions (each opens on a microtask after the last one ends). */
async function opened(transactions: readonly Transaction[], n: number): Promise<Transaction> {
  for (let turn = 0; turn < 1000 && transactions.length < n; turn++) await Promise.resolve();
  const transaction = transactions[n - 1];
  assert.ok(transaction !== undefined, `transaction ${n} was never opened`);
  return transaction;
}

const idsOf = (items: readonly TimedAppendItem[]): string[] => items.map((item) => item.entry.messageId);

describe('group commit of journal appends', () => {
  it('writes the appends made while a transaction is in flight in one next transaction', async () => {
    const { transactions, backend } = openTransactions();
    const commits: number[] = [];
    const writer = new GroupCommitWriter(backend, {
      maxItems: 1000,
      schedule: queueMicrotask,
      onCommit: (items) => commits.push(items),
    });
    const first = writer.append(ALICE, incoming('m0'), T0);
    const inFlight = await opened(transactions, 1);
    assert.deepEqual(idsOf(inFlight.items), ['m0']);
    // 50 appends (one a batch of two) arrive while the first transaction is open.
    const later = Array.from({ length: 49 }, (_, i) =>
      writer.append(i % 2 === 0 ? ALICE : BOB, incoming(`m${i + 1}`), T0 + i + 1),
    );
    const batch = writer.appendBatch(
      [
        { account: ALICE, entry: incoming('b1') },
        { account: BOB, entry: incoming('b2') },
      ],
      T0 + 99,
    );
    assert.equal(transactions.length, 1, 'nothing else is written while a transaction is open');
    inFlight.commit();
    assert.equal((await first).entry.messageId, 'm0');
    const group = await opened(transactions, 2);
    assert.deepEqual(idsOf(group.items), [...Array.from({ length: 49 }, (_, i) => `m${i + 1}`), 'b1', 'b2']);
    // Each item keeps its caller's time.
    assert.deepEqual(
      group.items.map((item) => item.now),
      [...Array.from({ length: 49 }, (_, i) => T0 + i + 1), T0 + 99, T0 + 99],
    );
    group.commit();
    const results = await Promise.all(later);
    assert.deepEqual(
      results.map((result) => result.entry.messageId),
      Array.from({ length: 49 }, (_, i) => `m${i + 1}`),
    );
    assert.deepEqual(
      (await batch).map((result) => [result.entry.account, result.entry.messageId]),
      [
        [ALICE, 'b1'],
        [BOB, 'b2'],
      ],
    );
    assert.deepEqual(commits, [1, 51]);
  });

  it('fails exactly the callers of a failed transaction', async () => {
    const { transactions, backend } = openTransactions();
    const writer = new GroupCommitWriter(backend, { maxItems: 1000, schedule: queueMicrotask });
    const first = [writer.append(ALICE, incoming('a1'), T0), writer.append(BOB, incoming('a2'), T0)];
    const one = await opened(transactions, 1);
    const second = [writer.append(ALICE, incoming('b1'), T0), writer.append(BOB, incoming('b2'), T0)];
    one.commit();
    const two = await opened(transactions, 2);
    const third = [writer.append(ALICE, incoming('c1'), T0)];
    two.fail(new Error('disk full'));
    const three = await opened(transactions, 3);
    three.commit();
    assert.deepEqual(
      (await Promise.all(first)).map((r) => r.entry.messageId),
      ['a1', 'a2'],
    );
    for (const outcome of await Promise.allSettled(second)) {
      assert.equal(outcome.status, 'rejected');
      assert.equal((outcome.reason as Error).message, 'disk full');
    }
    assert.deepEqual(
      (await Promise.all(third)).map((r) => r.entry.messageId),
      ['c1'],
    );
    assert.deepEqual(idsOf(three.items), ['c1']);
  });

  it('fails only its group when the backend throws before a promise exists', async () => {
    let calls = 0;
    const { backend } = openTransactions();
    const writer = new GroupCommitWriter(
      {
        ...backend,
        appendGroup: (items) => {
          calls++;
          if (calls === 1) throw new Error('SQLITE_FULL');
          return Promise.resolve(
            items.map((item) => ({
              outcome: 'duplicate' as const,
              entry: { ...item.entry, account: item.account, cursor: '0', createdAt: 0, unread: false },
            })),
          );
        },
      },
      { maxItems: 1000, schedule: setImmediate },
    );
    const failed = writer.append(ALICE, incoming('x'), T0);
    await assert.rejects(failed, /SQLITE_FULL/);
    assert.equal((await writer.append(ALICE, incoming('y'), T0)).entry.messageId, 'y');
  });

  it('bounds a group by maxItems, never splitting a caller’s batch, and keeps arrival order', async () => {
    const { transactions, backend } = openTransactions();
    const writer = new GroupCommitWriter(backend, { maxItems: 3, schedule: queueMicrotask });
    const pending = [
      writer.append(ALICE, incoming('s1'), T0),
      writer.append(ALICE, incoming('s2'), T0),
      writer.appendBatch(
        ['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => ({ account: ALICE, entry: incoming(id) })),
        T0,
      ),
      writer.append(ALICE, incoming('s3'), T0),
      writer.append(ALICE, incoming('s4'), T0),
    ];
    const groups: string[][] = [];
    for (let n = 1; n <= 3; n++) {
      const transaction = await opened(transactions, n);
      groups.push(idsOf(transaction.items));
      transaction.commit();
    }
    assert.deepEqual(groups, [
      ['s1', 's2'],
      ['b1', 'b2', 'b3', 'b4', 'b5'],
      ['s3', 's4'],
    ]);
    await Promise.all(pending);
    assert.equal(transactions.length, 3);
  });
});
