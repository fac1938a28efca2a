/** A subscriber row selected by subscriberSql, whatever the driver returns for text and booleans. */
import type { Subscriber } from './subscriber-store.js';

export function decodeSubscriberRow(row: Readonly<Record<string, unknown>>): Subscriber {
  return {
    username: text(row.username),
    domain: text(row.domain),
    ha1: text(row.ha1),
    ha1b: text(row.ha1b),
    ha1Sha256: text(row.ha1_sha256),
    // SQLite answers 0/1, PostgreSQL a boolean.
    hasCleartextPassword: row.cleartext === true || row.cleartext === 1,
  };
}

// Rows written by other tools (kamctl, OpenSIPS's CLI) may hold NULL or padded CHAR hashes.
function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
