/**
 * A SylkServer deployment's data as `missive import sylkserver` reads it, whichever backend it came from
 * (sylk spec §3.10 files, §3.11 Cassandra): what the importer writes into missive's store, already checked
 * and converted (times in UTC milliseconds, message timestamps as ISO-8601 text with their offset).
 */
import type { Direction, EntryState } from '../../store/journal/types.js';

export interface LegacyStorageAccount {
  readonly account: string;
  readonly lastLogin: number;
  /** The account's API token in clear (SylkServer keeps it so) and when it stops working. */
  readonly token?: { readonly value: string; readonly expiresAt: number };
}

export interface LegacyPublicKey {
  readonly account: string;
  readonly key: string;
  readonly createdAt: number;
}

export interface LegacyPushToken {
  readonly account: string;
  readonly appId: string;
  readonly deviceId: string;
  readonly token: string;
  readonly backgroundToken?: string;
  readonly platform: string;
  readonly silent: boolean;
  readonly userAgent?: string;
}

export interface LegacyEntry {
  readonly messageId: string;
  readonly contact: string;
  readonly direction: Direction;
  readonly contentType: string;
  readonly content: string;
  /** When SylkServer stored it (the sync cursor's time), UTC ms. */
  readonly createdAt: number;
  readonly disposition: readonly string[] | null;
  readonly state: EntryState | null;
  /** The message's own timestamp, ISO-8601 with its offset (naive when SylkServer kept it naive). */
  readonly timestamp: string;
}

/** One account's journal, oldest first (storage order, sylk spec §3.6). */
export interface LegacyJournal {
  readonly account: string;
  readonly entries: readonly LegacyEntry[];
}

export interface LegacyAddressBook {
  readonly account: string;
  /** The book's JSON, `{contacts, groups, policies}`. */
  readonly document: string;
}

/** Something the source holds that cannot be imported as it is: said in the summary, never silently dropped. */
export interface LegacyProblem {
  readonly where: string;
  readonly problem: string;
}

export interface SylkServerSource {
  /** Where the data comes from, for the summary. */
  readonly description: string;
  storageAccounts(): AsyncIterable<LegacyStorageAccount>;
  publicKeys(): AsyncIterable<LegacyPublicKey>;
  pushTokens(): AsyncIterable<LegacyPushToken>;
  /** How many journals journals() will yield (for the progress bar). */
  journalCount(): Promise<number>;
  journals(): AsyncIterable<LegacyJournal>;
  addressBooks(): AsyncIterable<LegacyAddressBook>;
  /** What was found unreadable so far. */
  readonly problems: readonly LegacyProblem[];
  close(): Promise<void>;
}
