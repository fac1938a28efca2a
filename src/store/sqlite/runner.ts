/** SqlRunner on the SQLite connection, each statement prepared once and kept. */
import type Database from 'better-sqlite3';
import type { SqlValue } from '../../sql/value.js';
import type { SqlRunner } from '../sql-runner.js';
import type { SqliteConnection } from './connection.js';

export class SqliteRunner implements SqlRunner {
  readonly placeholder = (): string => '?';
  readonly #connection: SqliteConnection;
  readonly #prepared = new Map<string, Database.Statement<SqlValue[], unknown[]>>();

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  rows(sql: string, values: readonly SqlValue[]): Promise<unknown[][]> {
    return this.#connection.run(() =>
      this.#statement(sql)
        .raw(true)
        .all(...values),
    );
  }

  run(sql: string, values: readonly SqlValue[]): Promise<number> {
    return this.#connection.run(() => this.#statement(sql).run(...values).changes);
  }

  #statement(sql: string): Database.Statement<SqlValue[], unknown[]> {
    let statement = this.#prepared.get(sql);
    if (statement === undefined) {
      statement = this.#connection.db.prepare<SqlValue[], unknown[]>(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }
}
