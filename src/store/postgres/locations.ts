/** LocationStore on PostgreSQL; the statements of the registrar's hot path are prepared per connection. */
import { type Binding, type BindingKey, encodeBindingKey } from '../location/binding.js';
import type { LocationStore, UpsertOutcome } from '../location/location-store.js';
import { bindingRowValues, decodeBindingRow } from '../location/row.js';
import { type LocationSql, locationSql } from '../location/sql.js';
import { checkTime } from '../checks.js';
import { checkAor, validateBinding } from '../location/validate.js';
import type { TableNamer } from '../tables.js';
import { type PostgresPool, toCount } from './pool.js';

export class PostgresLocationStore implements LocationStore {
  readonly #pool: PostgresPool;
  readonly #sql: LocationSql;

  constructor(pool: PostgresPool, table: TableNamer) {
    this.#pool = pool;
    this.#sql = locationSql(table, (n) => `$${n}`);
  }

  async upsert(binding: Binding): Promise<UpsertOutcome> {
    validateBinding(binding);
    const result = await this.#pool.query(
      this.#sql.upsert,
      bindingRowValues(binding),
      'missive_location_upsert',
    );
    return result.rows.length === 0 ? 'stale' : 'stored';
  }

  async remove(aor: string, key: BindingKey): Promise<boolean> {
    const result = await this.#pool.query(this.#sql.remove, [aor, encodeBindingKey(key)]);
    return (result.rowCount ?? 0) > 0;
  }

  async removeFlow(aor: string, key: BindingKey, connectionId: string): Promise<boolean> {
    const result = await this.#pool.query(this.#sql.removeFlow, [aor, encodeBindingKey(key), connectionId]);
    return (result.rowCount ?? 0) > 0;
  }

  async removeAll(aor: string): Promise<number> {
    const result = await this.#pool.query(this.#sql.removeAll, [aor]);
    return result.rowCount ?? 0;
  }

  async lookup(aor: string, now: number): Promise<Binding[]> {
    checkAor(aor);
    checkTime('now', now);
    const rows = await this.#pool.queryArrays(this.#sql.lookup, [aor, now], 'missive_location_lookup');
    return rows.map(decodeBindingRow);
  }

  async purgeExpired(now: number): Promise<number> {
    checkTime('now', now);
    const result = await this.#pool.query(this.#sql.purge, [now]);
    return result.rowCount ?? 0;
  }

  async count(): Promise<number> {
    const result = await this.#pool.query(this.#sql.count);
    return toCount(result.rows[0]?.n);
  }
}
