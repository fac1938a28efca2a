/**
 * The journal on SQLite: the shared checks and reads (CheckedJournalStore) over prepared statements on the
 * server's connection, and the writes, grouped (GroupCommitWriter), on the journal writer's thread with a
 * connection of its own (journal-worker.ts), so that a commit's sync never stops the event loop.
 */
import type { SqlValue } from '../../sql/value.js';
import { CheckedJournalStore } from '../journal/checked-journal-store.js';
import { DEFAULT_GROUP_ITEMS, GroupCommitWriter } from '../journal/group-commit.js';
import type { JournalStore } from '../journal/journal-store.js';
import { JournalPagingReader } from '../journal/paging-reader.js';
import type { JournalRead, JournalRowSource } from '../journal/row-source.js';
import { DEFAULT_BUSY_TIMEOUT_MS, type OpenStoreOptions } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { startJournalWorker } from './journal-calls.js';
import { ThreadJournalWriter } from './journal-thread.js';
import { prepareJournalStatements, SqliteJournalWriter } from './journal-writer.js';
import { WorkerCalls } from './worker-calls.js';

export interface SqliteJournal {
  readonly journal: JournalStore;
  /** Waits for the writes already asked for, then ends the writer's thread. */
  close(): Promise<void>;
}

/** The journal of the SQLite store. The writer's thread starts with the first write. */
export function sqliteJournal(
  connection: SqliteConnection,
  options: Pick<OpenStoreOptions, 'onJournalCommit' | 'busyTimeoutMs'> = {},
): SqliteJournal {
  const statements = prepareJournalStatements(connection.db);
  const reads = statements.reads;
  const rows: JournalRowSource = {
    rows: (statement: JournalRead, values: readonly SqlValue[]) =>
      connection.run(() => reads[statement].all(...values)),
  };
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const calls = new WorkerCalls('the SQLite journal writer', () =>
    startJournalWorker({ path: connection.path, busyTimeoutMs }),
  );
  const journal = new CheckedJournalStore(
    new JournalPagingReader(rows),
    new GroupCommitWriter(new ThreadJournalWriter(calls, new SqliteJournalWriter(connection, statements)), {
      maxItems: DEFAULT_GROUP_ITEMS,
      // The commit runs on the writer's thread: appends arriving meanwhile gather for the next group.
      // setImmediate lets the requests read in this turn of the event loop join the first one.
      schedule: setImmediate,
      ...(options.onJournalCommit === undefined ? {} : { onCommit: options.onJournalCommit }),
    }),
  );
  return { journal, close: () => calls.close() };
}
