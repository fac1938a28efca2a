/**
 * What each SQL backend writes its own way: the journal's write transactions. Inputs arrive checked
 * (CheckedJournalStore); each method is one transaction, durable when its promise resolves.
 */
import type {
  AppendItem,
  AppendResult,
  ConversationResult,
  DeliveryState,
  OperationOptions,
  RemoveMessageOptions,
  RemoveMessageResult,
  UpdateResult,
} from './types.js';

export interface PurgedChunk {
  /** Entries deleted by this transaction. */
  readonly deleted: number;
  /** The chunk was full: older entries may be left. */
  readonly full: boolean;
}

export interface JournalWriter {
  append(account: string, entry: AppendItem['entry'], now: number): Promise<AppendResult>;
  /** `items` is not empty. */
  appendBatch(items: readonly AppendItem[], now: number): Promise<AppendResult[]>;
  updateState(account: string, messageId: string, state: DeliveryState): Promise<UpdateResult>;
  markConversationRead(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult>;
  removeMessage(
    account: string,
    messageId: string,
    options: RemoveMessageOptions,
  ): Promise<RemoveMessageResult>;
  removeConversation(
    account: string,
    contact: string,
    options: OperationOptions,
  ): Promise<ConversationResult>;
  removeAll(account: string): Promise<number>;
  /** Deletes at most `limit` of the oldest entries stored before `cutoff`, unread counters following. */
  purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk>;
}
