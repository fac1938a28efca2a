/**
 * Table and column names from the configuration, checked and quoted before they go into SQL text. Only
 * plain identifiers are accepted (`^[A-Za-z_][A-Za-z0-9_]*$`, and `schema.table` for a table), so quoting
 * cannot be escaped and reserved words (`user`, `password`…) still work.
 */
import type { SqlDialect } from './uri.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** MySQL's limit is 64, PostgreSQL's 63 bytes: stay within both. */
const MAX_LENGTH = 63;

export class SqlIdentifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlIdentifierError';
  }
}

export function isSqlIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && name.length <= MAX_LENGTH;
}

/** A column name, or a table name optionally qualified by its schema (or database, for MySQL). */
export function isSqlTableName(name: string): boolean {
  const parts = name.split('.');
  return parts.length <= 2 && parts.every(isSqlIdentifier);
}

/**
 * Quotes a checked name for the dialect. PostgreSQL folds an unquoted name to lower case, and SQLObject
 * (msrprelay) did not quote, so a name is folded before quoting there: `subscriber_table = Subscriber` means
 * the same table as before. MySQL and SQLite compare quoted and unquoted names alike.
 * Throws SqlIdentifierError for a name that is not a plain identifier.
 */
export function quoteSqlName(dialect: SqlDialect, name: string, what: string, qualified = false): string {
  if (!(qualified ? isSqlTableName(name) : isSqlIdentifier(name))) {
    const shape = qualified ? 'an SQL identifier or schema.identifier' : 'an SQL identifier';
    throw new SqlIdentifierError(
      `${what} ${JSON.stringify(name)} is not ${shape} (letters, digits and '_', not starting with a digit, at most ${MAX_LENGTH})`,
    );
  }
  return name
    .split('.')
    .map((part) =>
      dialect === 'mysql' ? `\`${part}\`` : `"${dialect === 'postgres' ? part.toLowerCase() : part}"`,
    )
    .join('.');
}
