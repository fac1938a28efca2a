/**
 * The store URI: `sqlite:///absolute/path.db` (also `sqlite:relative/path.db`, against a base directory)
 * or `postgresql://user:password@host[:port]/database[?sslmode=…&schema=name]` (also `postgres://`).
 * or `cassandra://host[:port]/keyspace` (cassandra/uri.ts).
 * `schema` puts missive's tables in that PostgreSQL schema, created when missing. Parsing is the relay's
 * (src/sql/uri.ts), so both read a database URI the same way.
 */
import { isSqlIdentifier } from '../sql/identifiers.js';
import {
  DatabaseUriError,
  parseDatabaseUri,
  type ServerConnection,
  type SqliteFileConnection,
} from '../sql/uri.js';
import { type CassandraLocation, isCassandraUri, parseCassandraUri } from './cassandra/uri.js';
import { StoreUriError } from './errors.js';

export type StoreLocation =
  | { readonly backend: 'sqlite'; readonly connection: SqliteFileConnection }
  | {
      readonly backend: 'postgres';
      readonly connection: ServerConnection;
      /** undefined: the first schema of the server's search_path (normally `public`). */
      readonly schema: string | undefined;
    }
  | { readonly backend: 'cassandra'; readonly location: CassandraLocation };

/** Throws StoreUriError; its message never contains the password. */
export function parseStoreUri(uri: string, baseDir: string = process.cwd()): StoreLocation {
  if (isCassandraUri(uri)) return { backend: 'cassandra', location: parseCassandraUri(uri) };
  const { rest, schema } = takeSchemaParameter(uri.trim());
  let parsed;
  try {
    parsed = parseDatabaseUri(rest, baseDir);
  } catch (error) {
    if (error instanceof DatabaseUriError) throw new StoreUriError(error.message, { cause: error });
    throw error;
  }
  if (parsed.ignoredParameters.length > 0) {
    throw new StoreUriError(`unknown store URI parameter(s): ${parsed.ignoredParameters.join(', ')}`);
  }
  if (parsed.dialect === 'sqlite') {
    if (schema !== undefined) throw new StoreUriError('schema= is a PostgreSQL parameter');
    return { backend: 'sqlite', connection: parsed };
  }
  if (parsed.dialect === 'postgres') return { backend: 'postgres', connection: parsed, schema };
  throw new StoreUriError(
    'the store supports sqlite:/// and postgresql:// URIs, and cassandra:// for the messaging data',
  );
}

/** Removes `schema=` from the query, which the shared parser does not know. */
function takeSchemaParameter(uri: string): { rest: string; schema: string | undefined } {
  const question = uri.indexOf('?');
  if (question === -1) return { rest: uri, schema: undefined };
  const hash = uri.indexOf('#', question);
  const query = uri.slice(question + 1, hash === -1 ? undefined : hash);
  let schema: string | undefined;
  const kept = query.split('&').filter((pair) => {
    if (!pair.startsWith('schema=')) return true;
    schema = pair.slice('schema='.length);
    return false;
  });
  if (schema !== undefined && !isSqlIdentifier(schema)) {
    throw new StoreUriError("schema= is not an SQL identifier (letters, digits and '_')");
  }
  const rest = uri.slice(0, question) + (kept.length > 0 ? `?${kept.join('&')}` : '');
  return { rest, schema };
}
