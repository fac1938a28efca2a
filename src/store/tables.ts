/**
 * The tables missive owns. `subscriber` keeps Kamailio's name so that other readers find it where they
 * look by default; the location table is prefixed so that it can share a database with Kamailio's own
 * `location` table (usrloc), whose columns differ.
 */
import { quoteSqlName } from '../credentials/sql/identifiers.js';

export const SCHEMA_TABLE = 'missive_schema';
export const SUBSCRIBER_TABLE = 'subscriber';
export const LOCATION_TABLE = 'missive_location';

export type TableNamer = (name: string) => string;

/** Quotes a table name, qualified by `schema` (PostgreSQL) when one is given. */
export function tableNamer(dialect: 'sqlite' | 'postgres', schema?: string): TableNamer {
  const prefix = schema === undefined ? '' : `${quoteSqlName(dialect, schema, 'schema')}.`;
  return (name) => prefix + quoteSqlName(dialect, name, 'table');
}
