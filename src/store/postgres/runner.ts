/** SqlRunner on the pg Pool: each statement a named prepared statement, parsed once per connection. */
import { createHash } from 'node:crypto';
import type { SqlValue } from '../../sql/value.js';
import type { SqlRunner } from '../sql-runner.js';
import type { PostgresPool } from './pool.js';

export class PostgresRunner implements SqlRunner {
  readonly placeholder = (n: number): string => `$${n}`;
  readonly #pool: PostgresPool;
  readonly #names = new Map<string, string>();

  constructor(pool: PostgresPool) {
    this.#pool = pool;
  }

  rows(sql: string, values: readonly SqlValue[]): Promise<unknown[][]> {
    return this.#pool.queryArrays(sql, values, this.#name(sql));
  }

  async run(sql: string, values: readonly SqlValue[]): Promise<number> {
    return (await this.#pool.query(sql, values, this.#name(sql))).rowCount ?? 0;
  }

  /** A name derived from the text: one text, one name, on every connection of the pool. */
  #name(sql: string): string {
    let name = this.#names.get(sql);
    if (name === undefined) {
      name = `missive_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      this.#names.set(sql, name);
    }
    return name;
  }
}
