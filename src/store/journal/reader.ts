/**
 * The journal's reads as CheckedJournalStore calls them, inputs already checked and cursors decoded to
 * sequence numbers. The SQL backends share one (JournalPagingReader over their row source); Cassandra
 * reads its partition its own way.
 */
import type {
  AppendCheck,
  HistoryPage,
  HistoryQuery,
  JournalEntry,
  JournalPage,
  JournalUsage,
  ReadBounds,
  UnreadCounts,
} from './types.js';

export interface JournalReader {
  get(account: string, messageId: string): Promise<JournalEntry | undefined>;
  checkAppend(accounts: readonly string[], messageId: string): Promise<AppendCheck[]>;
  unread(account: string): Promise<UnreadCounts>;
  count(account: string): Promise<number>;
  usage(account: string): Promise<JournalUsage>;
  contentTypeCounts(account: string): Promise<ReadonlyMap<string, number>>;
  latest(account: string, limit: number, bounds?: ReadBounds): Promise<JournalPage>;
  /** The newest `limit` entries before `seq`, oldest first; `given` is the cursor to return when none. */
  before(
    account: string,
    seq: number,
    limit: number,
    given: string,
    bounds?: ReadBounds,
  ): Promise<JournalPage>;
  /** The oldest `limit` entries after `seq`. */
  after(account: string, seq: number, limit: number, bounds?: ReadBounds): Promise<JournalPage>;
  /** From the message with this id when the account has it, else from `since`, else from the start. */
  history(account: string, query: HistoryQuery): Promise<HistoryPage>;
}

/** checkAppend as a get and a usage per account, for a backend where a read is no round trip worth saving. */
export function checkAppendEach(
  reader: Pick<JournalReader, 'get' | 'usage'>,
  accounts: readonly string[],
  messageId: string,
): Promise<AppendCheck[]> {
  return Promise.all(
    accounts.map(async (account) => ({
      account,
      existing: await reader.get(account, messageId),
      usage: await reader.usage(account),
    })),
  );
}
