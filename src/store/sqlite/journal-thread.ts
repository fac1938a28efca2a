/**
 * The journal's writes, each a call to the SQLite journal writer's thread (journal-worker.ts), except a
 * removeMessage whose record is a function of the removed entry: a function cannot cross to another thread,
 * and it must run inside the removal's transaction, so that one runs on the server's own connection, as every
 * write did before the writer had a thread (SQLite serialises the two connections' transactions).
 */
import { StoreError } from '../errors.js';
import { type GroupAppender, type TimedAppendItem, timedAppendItems } from '../journal/group-commit.js';
import type {
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  NewEntry,
  OperationOptions,
  RemoveMessageOptions,
  RemoveMessageResult,
  UpdateResult,
} from '../journal/types.js';
import type { JournalWriter, PurgedChunk } from '../journal/writer.js';
import type { JournalWriterMethod } from './journal-calls.js';
import type { WorkerCalls } from './worker-calls.js';

export class ThreadJournalWriter implements JournalWriter, GroupAppender {
  readonly #calls: WorkerCalls;
  readonly #local: JournalWriter;

  constructor(calls: WorkerCalls, local: JournalWriter) {
    this.#calls = calls;
    this.#local = local;
  }

  async append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    const [result] = await this.appendGroup([{ account, entry, now }]);
    if (result === undefined) throw new StoreError('append stored nothing');
    return result;
  }

  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    return this.appendGroup(timedAppendItems(items, now));
  }

  appendGroup(items: readonly TimedAppendItem[]): Promise<AppendResult[]> {
    return this.#call('appendGroup', [items]);
  }

  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    return this.#call('updateState', [account, messageId, state]);
  }

  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#call('markConversationRead', [account, contact, options]);
  }

  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    if (typeof options.record === 'function') return this.#local.removeMessage(account, messageId, options);
    return this.#call('removeMessage', [account, messageId, options]);
  }

  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    return this.#call('removeConversation', [account, contact, options]);
  }

  removeAll(account: string): Promise<number> {
    return this.#call('removeAll', [account]);
  }

  purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk> {
    return this.#call('purgeChunk', [cutoff, limit]);
  }

  /** The worker runs the same SqliteJournalWriter method, so its reply has that method's result type. */
  #call<T>(method: JournalWriterMethod, args: readonly unknown[]): Promise<T> {
    return this.#calls.call(method, args) as Promise<T>;
  }
}
