/**
 * LocationStore on Cassandra: missive's own table, one partition per AOR (a lookup is one partition read),
 * one row per binding with the SQL location table's columns (location/row.ts). Each row is written with a
 * TTL of the binding's lifetime plus a grace period, so that the bindings of an instance that died go by
 * themselves; lookups still compare expiresAt with the caller's clock, and purgeExpired deletes what expired
 * before its TTL ran out.
 *
 * Every write is a lightweight transaction: RFC 3261 §10.3 step 7 as a compare-and-set on the binding's
 * Call-ID, CSeq and expiry as they were read, retried when another writer changed them meanwhile. Rows are
 * only ever written by UPDATE, which gives every column the one TTL: an INSERT's row marker could outlive a
 * later, shorter registration and leave a row of nulls.
 *
 * A binding held by an instance of several (its `holder`) is also listed under that instance, in a table of
 * its own written first with the same TTL, so that the others find a dead instance's bindings without a scan
 * (cassandra/cluster.ts). The listing is a hint, never trusted alone: it is not removed with the binding, and
 * a binding held since by another instance is not the dead one's (the removal is conditional on the holder).
 */
import { checkTime } from '../checks.js';
import { numberCell, plainCell, textCell } from './cells.js';
import { StoreError } from '../errors.js';
import { type Binding, type BindingKey, bindingKey, encodeBindingKey } from '../location/binding.js';
import type { LocationStore, UpsertOutcome } from '../location/location-store.js';
import { BINDING_COLUMNS, bindingRowValues, decodeBindingRow } from '../location/row.js';
import { checkAor, validateBinding } from '../location/validate.js';
import { CASSANDRA_TABLES } from './schema.js';
import { type CassandraSession, type CqlRow, type CqlValue, isUncertainWrite } from './session.js';

const number = (value: unknown): number => numberCell(value, 'a location row');
const text = (value: unknown): string => textCell(value, 'a location row');

/**
 * How long a row outlives its binding's expiry: more than the clocks of several instances differ by, so
 * that no instance still counts as live a binding whose row went.
 */
export const DEFAULT_BINDING_GRACE_S = 300;
/**
 * The longest TTL given: far beyond any registration (the registrar caps Expires far lower), and far below
 * what Cassandra refuses (an expiry past 2038-01-19, CASSANDRA-14092).
 */
const MAX_TTL_S = 365 * 86_400;
/** Attempts of one upsert against writers of other processes before it gives up. */
const MAX_ATTEMPTS = 50;

const KEY_COLUMNS = ['aor', 'binding_key'];
const SET_COLUMNS = BINDING_COLUMNS.filter((column) => !KEY_COLUMNS.includes(column));

/** The stored binding's fields that RFC 3261 §10.3 step 7 compares, as read. */
interface Guard {
  readonly callId: string;
  readonly cseq: number;
  readonly expiresAt: number;
  readonly updatedAt: number;
}

export interface CassandraLocationOptions {
  /** Seconds a row outlives its binding's expiry (DEFAULT_BINDING_GRACE_S). */
  readonly graceSeconds?: number;
}

export class CassandraLocationStore implements LocationStore {
  readonly #session: CassandraSession;
  readonly #graceSeconds: number;
  readonly #cql: {
    guard: string;
    upsert: string;
    remove: string;
    removeFlow: string;
    keys: string;
    lookup: string;
    expiries: string;
    purge: string;
    count: string;
    held: string;
  };
  /** Upserts of one binding queue in process, so that they do not contend for the same compare-and-set. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(session: CassandraSession, keyspace: string, options: CassandraLocationOptions = {}) {
    this.#session = session;
    this.#graceSeconds = options.graceSeconds ?? DEFAULT_BINDING_GRACE_S;
    const t = `${keyspace}.${CASSANDRA_TABLES.locations}`;
    const where = 'WHERE aor = ? AND binding_key = ?';
    this.#cql = {
      guard: `SELECT call_id, cseq, expires_at, updated_at FROM ${t} ${where}`,
      // A condition on null holds when the row does not exist: the first write of a binding.
      upsert:
        `UPDATE ${t} USING TTL ? SET ${SET_COLUMNS.map((c) => `${c} = ?`).join(', ')} ${where} ` +
        'IF call_id = ? AND cseq = ? AND expires_at = ?',
      remove: `DELETE FROM ${t} ${where} IF EXISTS`,
      removeFlow: `DELETE FROM ${t} ${where} IF connection_id = ?`,
      keys: `SELECT binding_key FROM ${t} WHERE aor = ?`,
      lookup: `SELECT ${BINDING_COLUMNS.join(', ')} FROM ${t} WHERE aor = ?`,
      expiries: `SELECT aor, binding_key, expires_at FROM ${t}`,
      purge: `DELETE FROM ${t} ${where} IF expires_at <= ?`,
      count: `SELECT COUNT(*) AS n FROM ${t}`,
      held:
        `INSERT INTO ${keyspace}.${CASSANDRA_TABLES.locationsByHolder} (holder, aor, binding_key) ` +
        'VALUES (?, ?, ?) USING TTL ?',
    };
  }

  async upsert(binding: Binding): Promise<UpsertOutcome> {
    validateBinding(binding);
    const key = encodeBindingKey(bindingKey(binding));
    const queue = `${binding.aor}\n${key}`;
    const run = (this.#queues.get(queue) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.#upsert(binding, key));
    this.#queues.set(queue, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(queue) === run) this.#queues.delete(queue);
    }
  }

  async remove(aor: string, key: BindingKey): Promise<boolean> {
    return this.#session.run(this.#cql.remove, [aor, encodeBindingKey(key)]);
  }

  async removeFlow(aor: string, key: BindingKey, connectionId: string): Promise<boolean> {
    return this.#session.run(this.#cql.removeFlow, [aor, encodeBindingKey(key), connectionId]);
  }

  async removeAll(aor: string): Promise<number> {
    const keys = await this.#session.rows(this.#cql.keys, [aor]);
    const removed = await Promise.all(
      keys.map((row) => this.#session.run(this.#cql.remove, [aor, text(row.get('binding_key'))])),
    );
    return removed.filter(Boolean).length;
  }

  async lookup(aor: string, now: number): Promise<Binding[]> {
    checkAor(aor);
    checkTime('now', now);
    const rows = await this.#session.rows(this.#cql.lookup, [aor]);
    // Rows arrive in binding_key order; the sort is stable, so ties stay in that order as in SQL.
    return rows
      .map((row) => decodeBindingRow(row.values().map(plainCell)))
      .filter((binding) => binding.expiresAt > now)
      .sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt);
  }

  async purgeExpired(now: number): Promise<number> {
    checkTime('now', now);
    const rows = await this.#session.rows(this.#cql.expiries);
    const expired = rows.filter((row) => number(row.get('expires_at')) <= now);
    // The condition, not the scan, decides: a binding refreshed since the scan stays.
    const purged = await Promise.all(
      expired.map((row) =>
        this.#session.run(this.#cql.purge, [text(row.get('aor')), text(row.get('binding_key')), now]),
      ),
    );
    return purged.filter(Boolean).length;
  }

  async count(): Promise<number> {
    const rows = await this.#session.rows(this.#cql.count);
    return number(rows[0]?.get('n'));
  }

  async #upsert(binding: Binding, key: string): Promise<UpsertOutcome> {
    const values = bindingRowValues(binding).map(cqlValue);
    const set = values.slice(KEY_COLUMNS.length);
    const ttl = Math.min(
      MAX_TTL_S,
      Math.max(0, Math.ceil((binding.expiresAt - binding.updatedAt) / 1000)) + this.#graceSeconds,
    );
    // Before the binding: a binding that is stored is listed under its holder (a listing without its binding,
    // when the upsert then fails or is stale, is harmless).
    if (binding.holder !== undefined)
      await this.#session.run(this.#cql.held, [binding.holder, binding.aor, key, ttl]);
    let stored = await this.#guard(binding.aor, key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (stored !== undefined && !replaces(stored, binding)) return 'stale';
      try {
        const { applied, current } = await this.#session.conditional(this.#cql.upsert, [
          ttl,
          ...set,
          binding.aor,
          key,
          stored?.callId ?? null,
          stored?.cseq ?? null,
          stored?.expiresAt ?? null,
        ]);
        if (applied) return 'stored';
        stored = guardOf(current);
      } catch (error) {
        // A contended compare-and-set that timed out may or may not have applied: read again, and if the
        // row is this very write, it did.
        if (!isUncertainWrite(error)) throw error;
        stored = await this.#guard(binding.aor, key);
        if (stored !== undefined && sameWrite(stored, binding)) return 'stored';
      }
    }
    throw new StoreError(`the binding of ${binding.aor} is too busy: gave up after ${MAX_ATTEMPTS} attempts`);
  }

  async #guard(aor: string, key: string): Promise<Guard | undefined> {
    return guardOf((await this.#session.rows(this.#cql.guard, [aor, key]))[0]);
  }
}

/** RFC 3261 §10.3 step 7: an expired binding counts as absent; else the same Call-ID needs a higher CSeq. */
function replaces(stored: Guard, binding: Binding): boolean {
  return (
    stored.expiresAt <= binding.updatedAt || stored.callId !== binding.callId || stored.cseq < binding.cseq
  );
}

function sameWrite(stored: Guard, binding: Binding): boolean {
  return (
    stored.callId === binding.callId &&
    stored.cseq === binding.cseq &&
    stored.expiresAt === binding.expiresAt &&
    stored.updatedAt === binding.updatedAt
  );
}

/** A row's guard columns; undefined when there is no row (a failed condition on a missing row has none). */
function guardOf(row: CqlRow | undefined): Guard | undefined {
  const callId: unknown = row?.get('call_id');
  if (row === undefined || callId === null || callId === undefined) return undefined;
  const updatedAt: unknown = row.keys().includes('updated_at') ? row.get('updated_at') : 0;
  return {
    callId: text(callId),
    cseq: number(row.get('cseq')),
    expiresAt: number(row.get('expires_at')),
    updatedAt: number(updatedAt),
  };
}

/** What bindingRowValues() gives is text, numbers and nulls only. */
function cqlValue(value: unknown): CqlValue {
  if (typeof value === 'string' || typeof value === 'number' || value === null) return value;
  throw new StoreError('a binding value has no Cassandra type');
}
