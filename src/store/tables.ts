/**
 * The tables missive owns. `subscriber` keeps Kamailio's name so that other readers find it where they
 * look by default; the location table is prefixed so that it can share a database with Kamailio's own
 * `location` table (usrloc), whose columns differ.
 */
import { quoteSqlName } from '../sql/identifiers.js';

export const SCHEMA_TABLE = 'missive_schema';
export const SUBSCRIBER_TABLE = 'subscriber';
export const LOCATION_TABLE = 'missive_location';
/** Several instances on one store: each instance's address and heartbeat, and the events they pass on. */
export const INSTANCE_TABLE = 'missive_instance';
export const CLUSTER_NOTICE_TABLE = 'missive_cluster_notice';
/** The message journal, its per-account sequence (and write lock) and its unread counters. */
export const JOURNAL_TABLE = 'missive_journal';
export const JOURNAL_ACCOUNT_TABLE = 'missive_journal_account';
export const UNREAD_TABLE = 'missive_journal_unread';
/** The messaging application's per-account data (sylk spec §3.1). */
export const STORAGE_ACCOUNT_TABLE = 'missive_storage_account';
export const PUBLIC_KEY_TABLE = 'missive_public_key';
export const PUSH_TOKEN_TABLE = 'missive_push_token';
/** The sylkRTC address book of each account (sylk spec §1.4.13), one JSON document. */
export const ADDRESS_BOOK_TABLE = 'missive_address_book';

export type TableNamer = (name: string) => string;

/** Quotes a table name, qualified by `schema` (PostgreSQL) when one is given. */
export function tableNamer(dialect: 'sqlite' | 'postgres', schema?: string): TableNamer {
  const prefix = schema === undefined ? '' : `${quoteSqlName(dialect, schema, 'schema')}.`;
  return (name) => prefix + quoteSqlName(dialect, name, 'table');
}
