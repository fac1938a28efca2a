/**
 * `cassandra://host[:port][,host[:port]…]/keyspace[?datacenter=name&replication=n&consistency=level]`: the
 * contact points, the keyspace (created when missing, with SimpleStrategy and `replication` copies,
 * default 1), the local data center of the DC-aware load balancing the reference uses (sylk spec §3.11;
 * default `datacenter1`, Cassandra's own default name) and the consistency level of reads and writes
 * (default local_quorum). Parsed by hand: a list of hosts is not a URL host.
 */
import { StoreUriError } from '../errors.js';

export const CASSANDRA_DEFAULT_PORT = 9042;
export const DEFAULT_DATACENTER = 'datacenter1';
export const CONSISTENCY_LEVELS = [
  'one',
  'two',
  'three',
  'quorum',
  'all',
  'local_quorum',
  'local_one',
] as const;
export type ConsistencyName = (typeof CONSISTENCY_LEVELS)[number];

export interface CassandraLocation {
  /** For Cassandra's PasswordAuthenticator: `cassandra://user:password@host/keyspace`. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** `host:port`, as the driver takes its contact points. */
  readonly contactPoints: readonly string[];
  readonly keyspace: string;
  readonly datacenter: string;
  readonly replication: number;
  readonly consistency: ConsistencyName;
}

/** A CQL identifier that needs no quotes (Cassandra's keyspace names: 48 characters at most). */
const KEYSPACE = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/;
const MAX_URI = 4096;
const MAX_HOSTS = 64;
const MAX_REPLICATION = 32;

export function isCassandraUri(uri: string): boolean {
  return uri.trim().toLowerCase().startsWith('cassandra://');
}

/** Throws StoreUriError. */
export function parseCassandraUri(uri: string): CassandraLocation {
  const text = uri.trim();
  if (text.length > MAX_URI) throw new StoreUriError(`the store URI is longer than ${MAX_URI} characters`);
  if (!isCassandraUri(text)) throw new StoreUriError('not a cassandra:// URI');
  const rest = text.slice('cassandra://'.length);
  const slash = rest.indexOf('/');
  if (slash === -1)
    throw new StoreUriError('cassandra:// needs a keyspace: cassandra://host[:port]/keyspace');
  const question = rest.indexOf('?', slash);
  const keyspace = rest.slice(slash + 1, question === -1 ? undefined : question);
  if (!KEYSPACE.test(keyspace)) {
    throw new StoreUriError(
      "the keyspace is not a CQL name (a letter, then letters, digits and '_', 48 at most)",
    );
  }
  const authority = rest.slice(0, slash);
  // The last '@' ends the credentials: a password may contain '@' (percent-encoded or not).
  const at = authority.lastIndexOf('@');
  const credentials = at === -1 ? undefined : userInfo(authority.slice(0, at));
  const contactPoints = authority
    .slice(at + 1)
    .split(',')
    .map((point) => contactPoint(point.trim()));
  if (contactPoints.length > MAX_HOSTS) throw new StoreUriError(`more than ${MAX_HOSTS} contact points`);
  const options = parameters(question === -1 ? '' : rest.slice(question + 1));
  return { ...(credentials === undefined ? {} : { credentials }), contactPoints, keyspace, ...options };
}

/** Never echoes what it was given: it holds a password. */
function userInfo(text: string): { username: string; password: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new StoreUriError('cassandra:// credentials are user:password@');
  const username = decodedSecret(text.slice(0, colon));
  const password = decodedSecret(text.slice(colon + 1));
  return { username, password };
}

function decodedSecret(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new StoreUriError('cassandra:// credentials are not valid percent-encoding');
  }
}

function contactPoint(point: string): string {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(point);
  const host = match?.[1] ?? '';
  if (!HOST.test(host)) throw new StoreUriError(`not a host: "${point}"`);
  const port = match?.[2] === undefined ? CASSANDRA_DEFAULT_PORT : Number(match[2]);
  if (port < 1 || port > 65_535) throw new StoreUriError(`not a port: "${point}"`);
  return `${host}:${port}`;
}

function parameters(query: string): Omit<CassandraLocation, 'contactPoints' | 'keyspace'> {
  let datacenter = DEFAULT_DATACENTER;
  let replication = 1;
  let consistency: ConsistencyName = 'local_quorum';
  for (const pair of query === '' ? [] : query.split('&')) {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    const value = equals === -1 ? '' : decoded(pair.slice(equals + 1));
    if (name === 'datacenter' && /^[\w.-]{1,128}$/.test(value)) datacenter = value;
    else if (
      name === 'replication' &&
      /^\d{1,2}$/.test(value) &&
      Number(value) >= 1 &&
      Number(value) <= MAX_REPLICATION
    )
      replication = Number(value);
    else if (
      name === 'consistency' &&
      (CONSISTENCY_LEVELS as readonly string[]).includes(value.toLowerCase())
    )
      consistency = value.toLowerCase() as ConsistencyName;
    else throw new StoreUriError(`unknown or malformed cassandra:// parameter: ${name}`);
  }
  return { datacenter, replication, consistency };
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new StoreUriError('a cassandra:// parameter is not valid percent-encoding');
  }
}
