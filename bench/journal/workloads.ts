/** The measured operations: appends three ways, the newest-100 read, the next-100 read, the full scan. */
import type { NewEntry, Store } from '../../src/store/index.js';
import { elapsedMs } from './stats.js';

/** Appends go to this many accounts, as a server's traffic would. */
const ACCOUNTS = 100;
const CONTACTS = 20;
const BATCH = 100;
const CONCURRENCY = 8;

let serial = 0;

/** An incoming message asking for display: the full write path (entry, sequence, unread counter). */
function message(i: number): { account: string; entry: NewEntry } {
  const id = `bench-${process.pid}-${++serial}`;
  return {
    account: `user${i % ACCOUNTS}@example.com`,
    entry: {
      messageId: id,
      contact: `contact${(i * 7) % CONTACTS}@example.com`,
      direction: 'incoming',
      contentType: 'text/plain',
      content: `message ${id}: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod`,
      disposition: ['positive-delivery', 'display'],
      state: 'received',
      timestamp: '2024-05-01T10:00:00.000Z',
    },
  };
}

/** Entries per second, each append awaited before the next (each its own durable commit). */
export async function appendOneByOne(store: Store, count: number, now: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const { account, entry } = message(i);
    await store.journal.append(account, entry, now);
  }
  return count / (elapsedMs(start) / 1000);
}

/** Entries per second with CONCURRENCY appends in flight (a server with many clients). */
export async function appendConcurrently(store: Store, count: number, now: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const { account, entry } = message(next++);
      await store.journal.append(account, entry, now);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / (elapsedMs(start) / 1000);
}

/** Entries per second through appendBatch, BATCH entries (of many accounts) per transaction. */
export async function appendInBatches(store: Store, count: number, now: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let done = 0; done < count; done += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => message(done + i));
    await store.journal.appendBatch(items, now);
  }
  return count / (elapsedMs(start) / 1000);
}

/** Milliseconds of each of `calls` calls, made one after the other. */
export async function perCall(calls: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    times.push(elapsedMs(start));
  }
  return times;
}

export const APPEND_SHAPE = {
  accounts: ACCOUNTS,
  contacts: CONTACTS,
  batch: BATCH,
  concurrency: CONCURRENCY,
};
