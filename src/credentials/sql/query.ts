/**
 * The lookup query: the first row of `SELECT <columns> FROM <table> WHERE <username> = ? AND <domain> = ?`,
 * selecting only what the mode needs, and the decoding of that row into a StoredCredential.
 */
import type { StoredCredential } from '../store.js';
import { quoteSqlName } from '../../sql/identifiers.js';
import type { SqlDialect } from '../../sql/uri.js';

/** Where the credentials are: msrprelay's `[Database]` table and column options. */
export interface CredentialTable {
  /** true: the password column holds cleartext passwords; false: read HA1 hashes. */
  readonly cleartextPasswords: boolean;
  /** A table name, optionally `schema.table`. */
  readonly table: string;
  readonly usernameColumn: string;
  readonly domainColumn: string;
  readonly passwordColumn: string;
  /** MD5 HA1 = MD5("username:realm:password"), as OpenSIPS/Kamailio `subscriber.ha1`. */
  readonly ha1Column: string;
  /** missive addition: a column with SHA-256("username:realm:password"); undefined = none. */
  readonly ha1Sha256Column: string | undefined;
}

export const DEFAULT_CREDENTIAL_TABLE: CredentialTable = {
  cleartextPasswords: true,
  table: 'subscriber',
  usernameColumn: 'username',
  domainColumn: 'domain',
  passwordColumn: 'password',
  ha1Column: 'ha1',
  ha1Sha256Column: undefined,
};

export interface LookupQuery {
  readonly sql: string;
  /** The credential in a result row (its columns in the order selected); undefined when it holds none. */
  decode(row: readonly unknown[]): StoredCredential | undefined;
}

/** Throws SqlIdentifierError when a table or column name is not a plain SQL identifier. */
export function buildLookupQuery(dialect: SqlDialect, table: CredentialTable): LookupQuery {
  const name = (value: string, what: string): string => quoteSqlName(dialect, value, what);
  const from = quoteSqlName(dialect, table.table, 'table', true);
  const username = name(table.usernameColumn, 'username column');
  const domain = name(table.domainColumn, 'domain column');
  const columns = table.cleartextPasswords
    ? [name(table.passwordColumn, 'password column')]
    : [
        name(table.ha1Column, 'ha1 column'),
        ...(table.ha1Sha256Column === undefined ? [] : [name(table.ha1Sha256Column, 'SHA-256 ha1 column')]),
      ];
  const [first, second] = dialect === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  const sql = `SELECT ${columns.join(', ')} FROM ${from} WHERE ${username} = ${first} AND ${domain} = ${second} LIMIT 1`;
  return { sql, decode: table.cleartextPasswords ? decodePassword : decodeHa1 };
}

// A NULL password or hash is no credential: the user is then treated as unknown, never as having an
// empty password. An empty string is a stored value and is returned as it is for a password.
function decodePassword(row: readonly unknown[]): StoredCredential | undefined {
  const password = text(row[0]);
  return password === undefined ? undefined : { kind: 'password', password };
}

function decodeHa1(row: readonly unknown[]): StoredCredential | undefined {
  const md5 = text(row[0])?.trim();
  const sha256 = row.length > 1 ? text(row[1])?.trim() : undefined;
  const ha1: { MD5?: string; 'SHA-256'?: string } = {};
  if (md5 !== undefined && md5 !== '') ha1.MD5 = md5;
  if (sha256 !== undefined && sha256 !== '') ha1['SHA-256'] = sha256;
  return ha1.MD5 === undefined && ha1['SHA-256'] === undefined ? undefined : { kind: 'ha1', ha1 };
}

/** A column value as text: drivers return VARCHAR as strings, but BINARY/BLOB columns as bytes. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
