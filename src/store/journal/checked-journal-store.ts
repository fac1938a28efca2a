/**
 * The JournalStore of every backend: each input checked once, here, before anything is read or written.
 * The reads are a JournalReader (the SQL backends share JournalPagingReader over their row source), the
 * writes the backend's own transactions (JournalWriter).
 */
import { checkTime } from '../checks.js';
import { decodeCursor } from './cursor.js';
import type { JournalStore } from './journal-store.js';
import type { JournalReader } from './reader.js';
import type {
  AppendCheck,
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  HistoryPage,
  HistoryQuery,
  JournalEntry,
  JournalPage,
  JournalUsage,
  NewEntry,
  OperationOptions,
  ReadBounds,
  RemoveMessageOptions,
  RemoveMessageResult,
  UnreadCounts,
  UpdateResult,
} from './types.js';
import {
  checkAccount,
  checkAccounts,
  checkBounds,
  checkDeliveryState,
  checkLimit,
  checkMessageId,
  checkOperation,
  checkRemoveOptions,
  validateBatch,
  validateNewEntry,
} from './validate.js';
import type { JournalWriter } from './writer.js';

/** Rows a purge transaction deletes at most, so that other writers wait milliseconds, not seconds. */
export const PURGE_CHUNK = 2000;

export class CheckedJournalStore implements JournalStore {
  readonly #reader: JournalReader;
  readonly #writer: JournalWriter;

  constructor(reader: JournalReader, writer: JournalWriter) {
    this.#reader = reader;
    this.#writer = writer;
  }

  async append(account: string, entry: NewEntry, now: number): Promise<AppendResult> {
    checkAccount(account);
    validateNewEntry(entry);
    checkTime('now', now);
    return this.#writer.append(account, entry, now);
  }

  async appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]> {
    validateBatch(items);
    checkTime('now', now);
    return items.length === 0 ? [] : this.#writer.appendBatch(items, now);
  }

  async get(account: string, messageId: string): Promise<JournalEntry | undefined> {
    checkAccount(account);
    checkMessageId(messageId);
    return this.#reader.get(account, messageId);
  }

  async checkAppend(accounts: readonly string[], messageId: string): Promise<AppendCheck[]> {
    checkAccounts(accounts);
    checkMessageId(messageId);
    return this.#reader.checkAppend(accounts, messageId);
  }

  async updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult> {
    checkAccount(account);
    checkMessageId(messageId);
    checkDeliveryState(state);
    return this.#writer.updateState(account, messageId, state);
  }

  async markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    checkOperation(account, contact, options);
    return this.#writer.markConversationRead(account, contact, options);
  }

  async removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult> {
    checkRemoveOptions(account, messageId, options);
    return this.#writer.removeMessage(account, messageId, options);
  }

  async removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult> {
    checkOperation(account, contact, options);
    return this.#writer.removeConversation(account, contact, options);
  }

  async removeAll(account: string): Promise<number> {
    checkAccount(account);
    return this.#writer.removeAll(account);
  }

  async unread(account: string): Promise<UnreadCounts> {
    checkAccount(account);
    return this.#reader.unread(account);
  }

  async latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    checkPage(account, limit, bounds);
    return this.#reader.latest(account, limit, bounds);
  }

  async before(account: string, cursor: string, limit: number, bounds?: ReadBounds): Promise<JournalPage> {
    checkPage(account, limit, bounds);
    return this.#reader.before(account, decodeCursor(cursor), limit, cursor, bounds);
  }

  async after(
    account: string,
    cursor: string | undefined,
    limit: number,
    bounds?: ReadBounds,
  ): Promise<JournalPage> {
    checkPage(account, limit, bounds);
    return this.#reader.after(account, cursor === undefined ? 0 : decodeCursor(cursor), limit, bounds);
  }

  async history(account: string, query: HistoryQuery): Promise<HistoryPage> {
    checkPage(account, query.limit, query);
    const { messageId, since } = query;
    if (since !== undefined) checkTime('since', since);
    if (messageId !== undefined && messageId !== null && messageId !== '') checkMessageId(messageId);
    return this.#reader.history(account, query);
  }

  async count(account: string): Promise<number> {
    checkAccount(account);
    return this.#reader.count(account);
  }

  async usage(account: string): Promise<JournalUsage> {
    checkAccount(account);
    return this.#reader.usage(account);
  }

  async contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>> {
    checkAccount(account);
    return this.#reader.contentTypeCounts(account);
  }

  async purgeOlderThan(cutoff: number): Promise<number> {
    checkTime('cutoff', cutoff);
    let total = 0;
    for (;;) {
      const { deleted, full } = await this.#writer.purgeChunk(cutoff, PURGE_CHUNK);
      total += deleted;
      if (!full) return total;
      await new Promise<void>((resolve) => setImmediate(resolve)); // let other work in between chunks
    }
  }
}

function checkPage(account: string, limit: number, bounds: ReadBounds | undefined): void {
  checkAccount(account);
  checkLimit(limit);
  checkBounds(bounds);
}
