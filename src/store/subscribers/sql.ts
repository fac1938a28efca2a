/** The subscriber statements, the same for every SQL backend but for placeholders and quoting. */
import { SUBSCRIBER_TABLE, type TableNamer } from '../tables.js';

export interface SubscriberSql {
  /** (username, domain, password, ha1, ha1b, ha1_sha256) */
  readonly insert: string;
  /** (password, ha1, ha1b, ha1_sha256, username, domain) */
  readonly update: string;
  /** (username, domain) */
  readonly remove: string;
  /** (username, domain) */
  readonly get: string;
  /** () */
  readonly listAll: string;
  /** (domain) */
  readonly listDomain: string;
}

const SELECTED = 'username, domain, ha1, ha1b, ha1_sha256, password IS NOT NULL AS cleartext';

/** `placeholder(n)` is the n-th (1-based) parameter marker: `?` or `$n`. */
export function subscriberSql(table: TableNamer, placeholder: (n: number) => string): SubscriberSql {
  const t = table(SUBSCRIBER_TABLE);
  const p = placeholder;
  return {
    insert: `INSERT INTO ${t} (username, domain, password, ha1, ha1b, ha1_sha256) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
    update: `UPDATE ${t} SET password = ${p(1)}, ha1 = ${p(2)}, ha1b = ${p(3)}, ha1_sha256 = ${p(4)} WHERE username = ${p(5)} AND domain = ${p(6)}`,
    remove: `DELETE FROM ${t} WHERE username = ${p(1)} AND domain = ${p(2)}`,
    get: `SELECT ${SELECTED} FROM ${t} WHERE username = ${p(1)} AND domain = ${p(2)}`,
    listAll: `SELECT ${SELECTED} FROM ${t} ORDER BY domain, username`,
    listDomain: `SELECT ${SELECTED} FROM ${t} WHERE domain = ${p(1)} ORDER BY username`,
  };
}
