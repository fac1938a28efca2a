/** The location statements, the same for every SQL backend but for placeholders and quoting. */
import { LOCATION_TABLE, type TableNamer } from '../tables.js';
import { BINDING_COLUMNS } from './row.js';

export interface LocationSql {
  /** (BINDING_COLUMNS values); returns a row when written, none when stale. */
  readonly upsert: string;
  /** (aor, binding_key) */
  readonly remove: string;
  /** (aor, binding_key, connection_id) */
  readonly removeFlow: string;
  /** (aor) */
  readonly removeAll: string;
  /** (aor, now) */
  readonly lookup: string;
  /** (now) */
  readonly purge: string;
  /** () → one row, one column `n` */
  readonly count: string;
}

export function locationSql(table: TableNamer, placeholder: (n: number) => string): LocationSql {
  const t = table(LOCATION_TABLE);
  const columns = BINDING_COLUMNS.join(', ');
  const values = BINDING_COLUMNS.map((_, i) => placeholder(i + 1)).join(', ');
  const updates = BINDING_COLUMNS.filter((c) => c !== 'aor' && c !== 'binding_key')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  // RFC 3261 §10.3 step 7 inside the statement, so that two REGISTERs racing for one binding cannot both
  // win: the stored row is replaced only if it has expired, belongs to another Call-ID, or has a lower
  // CSeq. A refused update returns no row.
  const upsert =
    `INSERT INTO ${t} AS existing (${columns}) VALUES (${values}) ` +
    `ON CONFLICT (aor, binding_key) DO UPDATE SET ${updates} ` +
    'WHERE existing.expires_at <= excluded.updated_at OR existing.call_id <> excluded.call_id ' +
    'OR existing.cseq < excluded.cseq ' +
    'RETURNING 1 AS written';
  return {
    upsert,
    remove: `DELETE FROM ${t} WHERE aor = ${placeholder(1)} AND binding_key = ${placeholder(2)}`,
    removeFlow:
      `DELETE FROM ${t} WHERE aor = ${placeholder(1)} AND binding_key = ${placeholder(2)} ` +
      `AND connection_id = ${placeholder(3)}`,
    removeAll: `DELETE FROM ${t} WHERE aor = ${placeholder(1)}`,
    // binding_key last makes the order total, so every backend returns ties alike.
    lookup:
      `SELECT ${columns} FROM ${t} WHERE aor = ${placeholder(1)} AND expires_at > ${placeholder(2)} ` +
      'ORDER BY COALESCE(q, 1.0) DESC, updated_at DESC, binding_key',
    purge: `DELETE FROM ${t} WHERE expires_at <= ${placeholder(1)}`,
    count: `SELECT COUNT(*) AS n FROM ${t}`,
  };
}
