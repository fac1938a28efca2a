/**
 * Calls into a worker thread that answers each with a reply carrying its id, and the guard around it: a
 * worker that crashes or exits fails every call it had not answered with a StoreError (the caller answers
 * 500, nothing waits for ever), and the next call starts a new worker. The worker is referenced only while
 * a call is outstanding, so an idle one never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import { describeError } from '../../sql/describe-error.js';
import { StoreError } from '../errors.js';

export interface WorkerRequest {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** The request that asks the worker to finish the calls before it, release what it holds and exit. */
export const CLOSE_METHOD = 'close';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class WorkerCalls {
  readonly #start: () => Worker;
  /** What the worker is, for error messages ("the SQLite journal writer"). */
  readonly #name: string;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #lastId = 0;
  #closed = false;

  constructor(name: string, start: () => Worker) {
    this.#name = name;
    this.#start = start;
  }

  call(method: string, args: readonly unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreError('the store is closed'));
    let worker: Worker;
    try {
      worker = this.#running();
    } catch (error) {
      return Promise.reject(this.#failure(error));
    }
    const id = ++this.#lastId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, method, args } satisfies WorkerRequest);
    });
  }

  /** Lets the worker answer every call already made, then waits for it to exit. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    worker.ref();
    await new Promise<void>((resolve) => {
      worker.once('exit', () => {
        resolve();
      });
      worker.postMessage({ id: 0, method: CLOSE_METHOD, args: [] } satisfies WorkerRequest);
    });
  }

  #running(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = this.#start();
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      this.#settle(worker, reply);
    });
    // An uncaught exception in the worker ('error') is followed by its exit; the first of the two fails the calls.
    worker.on('error', (error) => {
      this.#stopped(worker, this.#failure(error));
    });
    worker.on('exit', (code) => {
      this.#stopped(worker, new StoreError(`${this.#name} stopped (exit code ${code})`));
    });
    // A reply that cannot be read leaves a call unanswered for ever: end the worker, which fails them all.
    worker.on('messageerror', (error) => {
      this.#stopped(worker, this.#failure(error));
      void worker.terminate();
    });
    this.#worker = worker;
    return worker;
  }

  #settle(worker: Worker, reply: WorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    // Once closing, the worker stays referenced until it exits: close() waits for that.
    if (this.#pending.size === 0 && !this.#closed) worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new StoreError(reply.message));
  }

  #stopped(worker: Worker, error: StoreError): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(error);
  }

  #failure(error: unknown): StoreError {
    if (error instanceof StoreError) return error;
    return new StoreError(`${this.#name} failed: ${describeError(error)}`, { cause: error });
  }
}

/**
 * A worker running the module `entry`. A `.ts` entry (under tsx: the tests) is started through a two-line
 * module that registers tsx first, because Node 20 does not apply the parent's `--import tsx` hooks to a
 * worker's entry module.
 */
export function startWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const boot =
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\n` +
    `register();\nawait import(${JSON.stringify(entry.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}
