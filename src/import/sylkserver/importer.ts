/**
 * `missive import sylkserver`'s work: each kind of a SylkServer deployment's data into missive's store,
 * idempotent (what is already there is counted, never written twice, never overwritten: a value missive has
 * is at least as new as the old server's), message ids, times, states and dispositions kept, so that devices
 * that synced with SylkServer keep syncing from where they were. A dry run reads and compares, writes nothing.
 */
import { readBookDocument } from '../../messaging/address-book/book-document.js';
import { InvalidInputError } from '../../store/errors.js';
import { MAX_TOKEN_LIFETIME_MS } from '../../store/storage-accounts/api-token.js';
import { MAX_BATCH } from '../../store/journal/journal-store.js';
import type { AppendItem, AppendResult } from '../../store/journal/types.js';
import type { Store } from '../../store/store.js';
import type { LegacyEntry, LegacyProblem, SylkServerSource } from './legacy-data.js';

export interface ImportCounts {
  /** Written (or, in a dry run, would be). */
  imported: number;
  /** Already in missive's store: left as it is. */
  present: number;
}

/**
 * Messages per journal transaction: one disk sync for many messages instead of one each. Each append stays
 * idempotent by message id, so a run stopped between two batches (or in one, which rolls back) is finished
 * by running it again.
 */
export const IMPORT_BATCH = 1000;

export const IMPORT_KINDS = [
  'accounts',
  'api tokens',
  'public keys',
  'push tokens',
  'messages',
  'address books',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportSummary {
  readonly counts: Record<ImportKind, ImportCounts>;
  /** What missive's store refused (a name or a value out of its bounds): left out, said here. */
  readonly problems: LegacyProblem[];
}

export interface ImportProgress {
  readonly journalsDone: number;
  readonly journalsTotal: number;
  readonly account: string;
}

export interface ImportOptions {
  readonly dryRun: boolean;
  /** Messages written per transaction (IMPORT_BATCH). */
  readonly batchSize?: number;
  readonly now: () => number;
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
}

export async function importSylkServer(
  source: SylkServerSource,
  store: Store,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    counts: Object.fromEntries(IMPORT_KINDS.map((kind) => [kind, { imported: 0, present: 0 }])) as Record<
      ImportKind,
      ImportCounts
    >,
    problems: [],
  };
  /**
   * Counts one item: present, or imported once `act` (skipped in a dry run) wrote it. A value the store
   * refuses is a problem of the summary, and the import goes on.
   */
  const take = async (
    kind: ImportKind,
    where: string,
    present: boolean,
    act: () => Promise<unknown>,
  ): Promise<void> => {
    if (present) {
      summary.counts[kind].present += 1;
      return;
    }
    try {
      if (!options.dryRun) await act();
      summary.counts[kind].imported += 1;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      summary.problems.push({ where, problem: error.message });
    }
  };

  for await (const legacy of source.storageAccounts()) {
    const { account } = legacy;
    const existing = await store.storageAccounts.get(account).catch(refusedAsAbsent);
    await take('accounts', `account ${account}`, existing !== undefined, () =>
      store.storageAccounts.touch(account, legacy.lastLogin),
    );
    const token = legacy.token;
    const now = options.now();
    if (token === undefined || token.expiresAt <= now) continue;
    // missive keeps only a hash: the old token is present when it verifies, and a token missive issued
    // since is newer than the old server's and stays.
    const present =
      existing?.tokenExpiresAt !== undefined ||
      (await store.storageAccounts.verifyToken(account, token.value, now).catch(() => false));
    await take('api tokens', `api token of ${account}`, present, () =>
      // An expiry decades away (a hand-edited file) is kept as the longest lifetime missive allows.
      store.storageAccounts.setToken(
        account,
        token.value,
        now,
        Math.min(token.expiresAt - now, MAX_TOKEN_LIFETIME_MS),
      ),
    );
  }

  for await (const legacy of source.publicKeys()) {
    const existing = await store.publicKeys.get(legacy.account).catch(refusedAsAbsent);
    await take('public keys', `public key of ${legacy.account}`, existing !== undefined, () =>
      store.publicKeys.set(legacy.account, legacy.key, legacy.createdAt),
    );
  }

  for await (const legacy of source.pushTokens()) {
    const tokens = (await store.pushTokens.list(legacy.account).catch(refusedAsAbsent)) ?? [];
    const present = tokens.some(
      (token) => token.appId === legacy.appId && token.deviceId === legacy.deviceId,
    );
    await take(
      'push tokens',
      `push token ${legacy.appId} ${legacy.deviceId} of ${legacy.account}`,
      present,
      () => store.pushTokens.upsert({ ...legacy, updatedAt: options.now() }),
    );
  }

  const journalsTotal = await source.journalCount();
  let journalsDone = 0;
  const batch = new MessageBatch(store, summary, options.batchSize ?? IMPORT_BATCH);
  for await (const journal of source.journals()) {
    const { account } = journal;
    for (const entry of journal.entries) {
      const where = `message ${entry.messageId} of ${account}`;
      if (options.dryRun) {
        const existing = await store.journal.get(account, entry.messageId).catch(refusedAsAbsent);
        await take('messages', where, existing !== undefined, () => Promise.resolve());
        continue;
      }
      // Stored with the time SylkServer stored it (the sync cursor's time); the journal's once-per-id rule
      // makes a second run store nothing.
      await batch.add({ account, entry: newEntryOf(entry), now: entry.createdAt }, where);
    }
    journalsDone += 1;
    // Said once the journal's last entries are written: a bar at the end means every message is stored.
    batch.reportWhenWritten({ journalsDone, journalsTotal, account }, options.onProgress);
  }
  await batch.flush();

  for await (const legacy of source.addressBooks()) {
    const existing = await store.addressBooks.get(legacy.account).catch(refusedAsAbsent);
    // Written in missive's form (three lists), whatever else the old file held.
    const document = JSON.stringify(readBookDocument(legacy.document).book);
    await take('address books', `address book of ${legacy.account}`, existing !== undefined, () =>
      store.addressBooks.put(legacy.account, document, 0, options.now()),
    );
  }
  return summary;
}

/** An imported message: stored with the time SylkServer stored it. */
type TimedItem = AppendItem & { readonly now: number };

/** Messages gathered into journal batches, counted in the summary as each batch is written. */
class MessageBatch {
  readonly #store: Store;
  readonly #summary: ImportSummary;
  readonly #size: number;
  #items: TimedItem[] = [];
  #wheres: string[] = [];
  #progress: (() => void)[] = [];

  constructor(store: Store, summary: ImportSummary, size: number) {
    this.#store = store;
    this.#summary = summary;
    this.#size = Math.max(1, Math.min(size, MAX_BATCH));
  }

  async add(item: TimedItem, where: string): Promise<void> {
    this.#items.push(item);
    this.#wheres.push(where);
    if (this.#items.length >= this.#size) await this.flush();
  }

  /** Reports `progress` once what was added so far is written. */
  reportWhenWritten(
    progress: ImportProgress,
    report: ((progress: ImportProgress) => void) | undefined,
  ): void {
    if (report === undefined) return;
    if (this.#items.length === 0) report(progress);
    else
      this.#progress.push(() => {
        report(progress);
      });
  }

  async flush(): Promise<void> {
    const items = this.#items;
    const wheres = this.#wheres;
    const progress = this.#progress;
    this.#items = [];
    this.#wheres = [];
    this.#progress = [];
    if (items.length > 0) {
      try {
        // Every item has its own time: the batch's is never used.
        this.#count(await this.#store.journal.appendBatch(items, 0));
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        // The store refuses the batch for one of its items: one at a time, to name it and store the rest.
        for (const [i, item] of items.entries()) await this.#appendAlone(item, wheres[i] ?? '');
      }
    }
    for (const report of progress) report();
  }

  async #appendAlone(item: TimedItem, where: string): Promise<void> {
    try {
      this.#count([await this.#store.journal.append(item.account, item.entry, item.now)]);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      this.#summary.problems.push({ where, problem: error.message });
    }
  }

  #count(results: readonly AppendResult[]): void {
    for (const result of results)
      this.#summary.counts.messages[result.outcome === 'stored' ? 'imported' : 'present'] += 1;
  }
}

/** A name the store refuses to look up has nothing stored under it; the write reports the refusal. */
function refusedAsAbsent(error: unknown): undefined {
  if (error instanceof InvalidInputError) return undefined;
  throw error;
}

function newEntryOf(entry: LegacyEntry): Parameters<Store['journal']['append']>[1] {
  const { messageId, contact, direction, contentType, content, disposition, state, timestamp } = entry;
  return { messageId, contact, direction, contentType, content, disposition, state, timestamp };
}
