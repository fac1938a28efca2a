/** What the benchmark needs of a store under test, beside the store API itself. */
import type { Store } from '../../src/store/index.js';

export interface Load {
  readonly account: string;
  readonly entries: number;
  /** createdAt of the first entry; then one every 10 ms. */
  readonly start: number;
}

export interface BenchTarget {
  readonly name: string;
  readonly store: Store;
  /** Engine version and durability settings, for the report. */
  readonly settings: string;
  /** Writes `load.entries` entries (m-1…m-N) to the account as appends would have, counters included. */
  load(load: Load): Promise<void>;
  /** What the reference does for "newest 100": read every entry of the account, keep the last 100. */
  fullScan(account: string, keep: number): Promise<number>;
  /** The plan of latest()'s query, one line. */
  plan(account: string): Promise<string>;
  close(): Promise<void>;
}
