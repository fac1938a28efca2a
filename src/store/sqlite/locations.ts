/** LocationStore on SQLite, with its statements prepared once. */
import type Database from 'better-sqlite3';
import { type Binding, type BindingKey, encodeBindingKey } from '../location/binding.js';
import type { LocationStore, UpsertOutcome } from '../location/location-store.js';
import { bindingRowValues, decodeBindingRow } from '../location/row.js';
import { locationSql } from '../location/sql.js';
import { checkTime } from '../checks.js';
import { checkAor, validateBinding } from '../location/validate.js';
import { tableNamer } from '../tables.js';
import type { SqliteConnection } from './connection.js';

type Row = Record<string, unknown>;

export class SqliteLocationStore implements LocationStore {
  readonly #connection: SqliteConnection;
  readonly #upsert: Database.Statement<unknown[], Row>;
  readonly #remove: Database.Statement;
  readonly #removeFlow: Database.Statement;
  readonly #removeAll: Database.Statement;
  readonly #lookup: Database.Statement<unknown[], unknown[]>;
  readonly #purge: Database.Statement;
  readonly #count: Database.Statement<unknown[], number>;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    const sql = locationSql(tableNamer('sqlite'), () => '?');
    const db = connection.db;
    this.#upsert = db.prepare(sql.upsert);
    this.#remove = db.prepare(sql.remove);
    this.#removeFlow = db.prepare(sql.removeFlow);
    this.#removeAll = db.prepare(sql.removeAll);
    this.#lookup = db.prepare<unknown[], unknown[]>(sql.lookup).raw(true);
    this.#purge = db.prepare(sql.purge);
    this.#count = db.prepare<unknown[], number>(sql.count).pluck();
  }

  upsert(binding: Binding): Promise<UpsertOutcome> {
    return this.#connection.run(() => {
      validateBinding(binding);
      return this.#upsert.get(...bindingRowValues(binding)) === undefined ? 'stale' : 'stored';
    });
  }

  remove(aor: string, key: BindingKey): Promise<boolean> {
    return this.#connection.run(() => this.#remove.run(aor, encodeBindingKey(key)).changes > 0);
  }

  removeFlow(aor: string, key: BindingKey, connectionId: string): Promise<boolean> {
    return this.#connection.run(
      () => this.#removeFlow.run(aor, encodeBindingKey(key), connectionId).changes > 0,
    );
  }

  removeAll(aor: string): Promise<number> {
    return this.#connection.run(() => this.#removeAll.run(aor).changes);
  }

  lookup(aor: string, now: number): Promise<Binding[]> {
    return this.#connection.run(() => {
      checkAor(aor);
      checkTime('now', now);
      return this.#lookup.all(aor, now).map(decodeBindingRow);
    });
  }

  purgeExpired(now: number): Promise<number> {
    return this.#connection.run(() => {
      checkTime('now', now);
      return this.#purge.run(now).changes;
    });
  }

  count(): Promise<number> {
    return this.#connection.run(() => this.#count.get() ?? 0);
  }
}
