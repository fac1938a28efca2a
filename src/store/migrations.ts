/**
 * Schema migrations: each backend has a list of numbered steps, 1, 2, 3…, applied in order inside one
 * transaction when a store opens, each recorded in `missive_schema`. A step is never edited once
 * released; a change is a new step. A database recorded at a version above the list's last one was
 * written by a newer missive, and is refused rather than guessed at.
 */
import { SchemaVersionError } from './errors.js';
import type { TableNamer } from './tables.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** The step's SQL statements; `table(name)` is the quoted (and schema-qualified) table name. */
  readonly statements: (table: TableNamer) => readonly string[];
}

/** The last version of a list numbered 1..n without gaps; throws Error for a malformed list (a bug). */
export function latestVersion(migrations: readonly Migration[]): number {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new Error(`migration ${i + 1} is numbered ${migration.version}: versions must be 1, 2, 3…`);
    }
  });
  return migrations.length;
}

/** The steps above `current`. Throws SchemaVersionError when the database is newer than the list. */
export function pendingMigrations(migrations: readonly Migration[], current: number): readonly Migration[] {
  const latest = latestVersion(migrations);
  if (current > latest) throw new SchemaVersionError(current, latest);
  return migrations.slice(current);
}
