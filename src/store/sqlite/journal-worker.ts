/**
 * The SQLite journal writer's thread: its own connection to the server's database file, on which it runs
 * the journal's write transactions in the order they were asked for. A commit's sync (synchronous = FULL)
 * waits here, not on the server's event loop, which meanwhile goes on reading and admitting MESSAGEs, so
 * the next group gathers everything that arrived during the sync (docs/storage-group-commit.md). The
 * server's connection keeps the reads; WAL lets them go on during a write, and a read made after a write's
 * reply sees it.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { describeError } from '../../sql/describe-error.js';
import { SqliteConnection } from './connection.js';
import { JOURNAL_WRITER_METHODS, type JournalWorkerData, type JournalWriterMethod } from './journal-calls.js';
import { prepareJournalStatements, SqliteJournalWriter } from './journal-writer.js';
import { CLOSE_METHOD, type WorkerReply, type WorkerRequest } from './worker-calls.js';

function isWriterMethod(method: string): method is JournalWriterMethod {
  return (JOURNAL_WRITER_METHODS as readonly string[]).includes(method);
}

function serveJournalWriter(port: MessagePort, data: JournalWorkerData): void {
  const db = new BetterSqlite3(data.path, { timeout: data.busyTimeoutMs, fileMustExist: true });
  // Per connection, not stored in the file: every commit of this writer syncs the WAL.
  db.pragma('synchronous = FULL');
  const connection = new SqliteConnection(db, data.path);
  const writer = new SqliteJournalWriter(connection, prepareJournalStatements(db));
  const reply = (message: WorkerReply): void => {
    port.postMessage(message);
  };
  port.on('message', (request: WorkerRequest) => {
    if (request.method === CLOSE_METHOD) {
      connection.close();
      port.close();
      return;
    }
    const { id, method, args } = request;
    const call = isWriterMethod(method)
      ? (writer[method] as (...values: unknown[]) => Promise<unknown>).apply(writer, [...args])
      : Promise.reject(new Error(`the journal writer has no method ${method}`));
    call.then(
      (value) => {
        reply({ id, ok: true, value });
      },
      (error: unknown) => {
        reply({ id, ok: false, message: describeError(error) });
      },
    );
  });
}

if (parentPort === null) throw new Error('journal-worker.ts runs as a worker thread');
serveJournalWriter(parentPort, workerData as JournalWorkerData);
