/**
 * What the small messaging stores (storage accounts, public keys, push tokens) need of a database: run one
 * statement. Their SQL is the same in every backend but for placeholders, so each is written once over this.
 */
import type { SqlValue } from '../sql/value.js';

export interface SqlRunner {
  /** The n-th (1-based) parameter marker: `?` or `$n`. */
  readonly placeholder: (n: number) => string;
  /** A statement's rows, each an array of the selected columns. */
  rows(sql: string, values: readonly SqlValue[]): Promise<unknown[][]>;
  /** A statement's count of changed rows. */
  run(sql: string, values: readonly SqlValue[]): Promise<number>;
}
