/**
 * A database URI as msrprelay's `[Database] uri` writes it (an SQLObject connection URI), read the same way
 * by the relay's credential backend and the store (src/store/uri.ts adds its `schema=`).
 *
 *   mysql://[user[:password]@]host[:port]/database[?params]
 *   postgres://… and postgresql://… (same shape)
 *   sqlite:///absolute/path, sqlite:/absolute/path, sqlite:relative/path (relative to the config directory)
 *
 * User, password, database and SQLite path are percent-decoded, as SQLObject does (so a password holding
 * `@`, `/`, `:` or `?` is written `%40`, `%2F`, `%3A`, `%3F`). SQLObject split the user from the host at
 * the first `@`; the last one is taken here, which accepts everything SQLObject did.
 *
 * `?name=value&…` parameters (values percent-decoded) that missive uses:
 *   mysql:    `charset` (the connection character set), `unix_socket` (a socket path instead of TCP)
 *   postgres: `sslmode` = disable | allow | prefer (no TLS) | require (TLS, certificate not checked) |
 *             verify-ca | verify-full (TLS, certificate checked against the system CAs and the host name);
 *             `unix_socket` (the directory holding PostgreSQL's socket instead of TCP)
 * Any other parameter (SQLObject's own `cache`, `debug`, `autoCommit`…, or a driver option missive does not
 * know) is ignored and listed in `ignoredParameters`, so that the caller can warn about it.
 */
import { isAbsolute, resolve } from 'node:path';

export type SqlDialect = 'mysql' | 'postgres' | 'sqlite';

export type PostgresSslMode = 'disable' | 'require' | 'verify-full';

export interface ServerConnection {
  readonly dialect: 'mysql' | 'postgres';
  readonly host: string;
  /** undefined: the dialect's default port (3306 / 5432). */
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly database: string;
  /** `unix_socket`: a socket path (MySQL) or the directory holding the socket (PostgreSQL). */
  readonly socket: string | undefined;
  /** MySQL `charset`. */
  readonly charset: string | undefined;
  /** PostgreSQL `sslmode`, reduced to what the pg driver can do. */
  readonly sslMode: PostgresSslMode;
  readonly ignoredParameters: readonly string[];
}

export interface SqliteFileConnection {
  readonly dialect: 'sqlite';
  /** Absolute path of the database file. */
  readonly path: string;
  readonly ignoredParameters: readonly string[];
}

export type DatabaseConnection = ServerConnection | SqliteFileConnection;

export class DatabaseUriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUriError';
  }
}

const SCHEMES: Readonly<Record<string, SqlDialect>> = {
  mysql: 'mysql',
  postgres: 'postgres',
  postgresql: 'postgres',
  sqlite: 'sqlite',
};

const SSL_MODES: Readonly<Record<string, PostgresSslMode>> = {
  disable: 'disable',
  allow: 'disable',
  prefer: 'disable',
  require: 'require',
  'verify-ca': 'verify-full',
  'verify-full': 'verify-full',
};

const KNOWN_PARAMETERS: Readonly<Record<SqlDialect, readonly string[]>> = {
  mysql: ['charset', 'unix_socket'],
  postgres: ['sslmode', 'unix_socket'],
  sqlite: [],
};

/**
 * Parses an SQLObject URI. `configDir` anchors a relative SQLite path. Throws DatabaseUriError; its
 * message never contains the password.
 */
export function parseDatabaseUri(uri: string, configDir: string): DatabaseConnection {
  const text = uri.trim();
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const dialect = SCHEMES[scheme];
  if (dialect === undefined) {
    const shown = colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme) ? `'${scheme}'` : 'missing';
    throw new DatabaseUriError(
      `unsupported database URI scheme ${shown}: expected mysql://, postgres://, postgresql:// or sqlite:`,
    );
  }
  let rest = text.slice(colon + 1);
  const hash = rest.indexOf('#'); // SQLObject splits a fragment off and ignores it
  if (hash !== -1) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const query = question === -1 ? '' : rest.slice(question + 1);
  rest = question === -1 ? rest : rest.slice(0, question);
  const parameters = parseParameters(query);
  const ignoredParameters = [...parameters.keys()].filter(
    (name) => !KNOWN_PARAMETERS[dialect].includes(name),
  );
  return dialect === 'sqlite'
    ? parseSqlite(rest, configDir, ignoredParameters)
    : parseServer(dialect, rest, parameters, ignoredParameters);
}

function parseSqlite(rest: string, configDir: string, ignoredParameters: string[]): SqliteFileConnection {
  const usage = 'expected sqlite:///absolute/path, sqlite:/absolute/path or sqlite:relative/path';
  let pathText = rest;
  if (pathText.startsWith('//')) {
    pathText = pathText.slice(2);
    if (!pathText.startsWith('/')) {
      throw new DatabaseUriError(`an SQLite URI names no host: ${usage}`);
    }
  }
  const decoded = decode(pathText, 'SQLite path');
  if (decoded === '' || decoded === '/')
    throw new DatabaseUriError(`the SQLite URI has no file path: ${usage}`);
  if (decoded === '/:memory:' || decoded === ':memory:') {
    throw new DatabaseUriError('an in-memory SQLite database cannot hold subscribers: name a file');
  }
  if (decoded.includes('\0')) throw new DatabaseUriError('the SQLite path contains a NUL character');
  const path = isAbsolute(decoded) ? decoded : resolve(configDir, decoded);
  return { dialect: 'sqlite', path, ignoredParameters };
}

function parseServer(
  dialect: 'mysql' | 'postgres',
  rest: string,
  parameters: ReadonlyMap<string, string>,
  ignoredParameters: string[],
): ServerConnection {
  const usage = `expected ${dialect}://user:password@host[:port]/database`;
  if (!rest.startsWith('//'))
    throw new DatabaseUriError(`the ${dialect} URI does not start with '//': ${usage}`);
  const afterSlashes = rest.slice(2);
  const slash = afterSlashes.indexOf('/');
  const authority = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
  const pathText = slash === -1 ? '' : afterSlashes.slice(slash + 1);

  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = at === -1 ? authority : authority.slice(at + 1);

  let user: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const split = userInfo.indexOf(':');
    // A malformed password must not be echoed: its error names only the field.
    user = decode(split === -1 ? userInfo : userInfo.slice(0, split), 'user name');
    password = split === -1 ? undefined : decode(userInfo.slice(split + 1), 'password');
    if (user === '') user = undefined;
  }

  const { host, port } = parseHostPort(hostPort, dialect);
  const database = decode(pathText.replace(/\/+$/, ''), 'database name');
  if (database === '') throw new DatabaseUriError(`the ${dialect} URI names no database: ${usage}`);
  if (database.includes('/') || database.includes('@')) {
    // Likely an unencoded '/' in the password; the text is not echoed, it may hold part of it.
    throw new DatabaseUriError(
      `the ${dialect} database name contains '/' or '@' (write them %2F and %40 in a password)`,
    );
  }

  const sslText = parameters.get('sslmode');
  let sslMode: PostgresSslMode = 'disable';
  if (dialect === 'postgres' && sslText !== undefined) {
    const mode = SSL_MODES[sslText.toLowerCase()];
    if (mode === undefined) {
      throw new DatabaseUriError(
        `unsupported sslmode: expected disable, allow, prefer, require, verify-ca or verify-full`,
      );
    }
    sslMode = mode;
  }
  const socket = parameters.get('unix_socket');
  if (socket === '') throw new DatabaseUriError('unix_socket= names no path');
  const charset = dialect === 'mysql' ? parameters.get('charset') : undefined;
  if (charset === '') throw new DatabaseUriError('charset= names no character set');
  return { dialect, host, port, user, password, database, socket, charset, sslMode, ignoredParameters };
}

function parseHostPort(text: string, dialect: string): { host: string; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else {
    const colon = text.lastIndexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
  }
  if (host === '') host = 'localhost'; // SQLObject's MySQL default; also what `pg` would pick
  // Neither a bad host nor a bad port is echoed: with an unencoded '/', '?' or '#' in the password they
  // hold part of it.
  if (!/^[A-Za-z0-9._:-]+$/.test(host)) throw new DatabaseUriError(`bad host in the ${dialect} URI`);
  if (portText === undefined || portText === '') return { host, port: undefined };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new DatabaseUriError(
      `bad port in the ${dialect} URI: expected 1 to 65535 (is a '/' in the password not written %2F?)`,
    );
  }
  return { host, port };
}

function parseParameters(query: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new DatabaseUriError('bad URI parameter: expected name=value');
    const name = pair.slice(0, equals);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new DatabaseUriError('bad URI parameter name');
    parameters.set(name, decode(pair.slice(equals + 1), `parameter ${name}`));
  }
  return parameters;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DatabaseUriError(`bad percent-encoding in the ${what}`);
  }
}

/** The URI without its password, for logs: `mysql://opensips@db:3306/opensips`. */
export function describeConnection(connection: DatabaseConnection): string {
  if (connection.dialect === 'sqlite') return `sqlite://${connection.path}`;
  const user = connection.user === undefined ? '' : `${encodeURIComponent(connection.user)}@`;
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  const port = connection.port === undefined ? '' : `:${connection.port}`;
  const socket = connection.socket === undefined ? '' : `?unix_socket=${connection.socket}`;
  return `${connection.dialect}://${user}${host}${port}/${encodeURIComponent(connection.database)}${socket}`;
}
