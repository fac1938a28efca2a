/**
 * What each SQL backend writes its own way: the journal's write transactions. Inputs arrive checked
 * (CheckedJournalStore); each method is one transaction, durable when its promise resolves.
 */
import type { JournalStore } from './journal-store.js';

export interface PurgedChunk {
  /** Entries deleted by this transaction. */
  readonly deleted: number;
  /** The chunk was full: older entries may be left. */
  readonly full: boolean;
}

/** The journal's writes as JournalStore declares them (inputs checked; appendBatch's items never empty). */
export interface JournalWriter
  extends Pick<
    JournalStore,
    | 'append'
    | 'appendBatch'
    | 'updateState'
    | 'markConversationRead'
    | 'removeMessage'
    | 'removeConversation'
    | 'removeAll'
  > {
  /** Deletes at most `limit` of the oldest entries stored before `cutoff`, unread counters following. */
  purgeChunk(cutoff: number, limit: number): Promise<PurgedChunk>;
}
