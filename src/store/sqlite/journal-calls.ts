/** What the server's thread and the SQLite journal writer's thread (journal-worker.ts) say to each other. */
import type { Worker } from 'node:worker_threads';
import { startWorker } from './worker-calls.js';

export interface JournalWorkerData {
  /** The database file, already created and migrated by the server's connection. */
  readonly path: string;
  readonly busyTimeoutMs: number;
}

/** The writer's methods the server calls on the worker (JournalWriter and GroupAppender, appends grouped). */
export const JOURNAL_WRITER_METHODS = [
  'appendGroup',
  'updateState',
  'markConversationRead',
  'removeMessage',
  'removeConversation',
  'removeAll',
  'purgeChunk',
] as const;

export type JournalWriterMethod = (typeof JOURNAL_WRITER_METHODS)[number];

/** Starts journal-worker: the compiled .js beside this file, or under tsx (the tests) the .ts source. */
export function startJournalWorker(data: JournalWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  return startWorker(
    new URL(fromSource ? './journal-worker.ts' : './journal-worker.js', import.meta.url),
    data,
  );
}
