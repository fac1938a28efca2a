/**
 * The keyspace's tables. The first five are the reference's, column for column (sylk spec §3.11: names,
 * types, keys and TTLs), so that missive reads a keyspace SylkServer wrote and SylkServer reads what missive
 * writes. What missive adds has tables of its own, prefixed `missive_`: hashed API tokens (the reference
 * keeps them in clear in chat_accounts.api_token, which missive never writes) and the time a push token was
 * written. Every statement is IF NOT EXISTS: opening an existing keyspace changes nothing in it.
 */
import type { CassandraSession } from './session.js';
import type { CassandraLocation } from './uri.js';

/** Sylk spec §3.11: messages and id mappings expire after a year; tombstones are kept 4 days. */
const MESSAGE_TABLE_OPTIONS = 'WITH default_time_to_live = 31536000 AND gc_grace_seconds = 345600';

export const CASSANDRA_TABLES = {
  pushTokens: 'push_tokens',
  messages: 'chat_messages_by_timestamp',
  messageIds: 'chat_message_created_at_by_id',
  publicKeys: 'public_key_by_account',
  accounts: 'chat_accounts',
  accountTokens: 'missive_storage_account',
  tokenOwners: 'missive_storage_account_token',
  pushTokenTimes: 'missive_push_token',
  journal: 'missive_journal',
  addressBooks: 'missive_address_book',
  subscribers: 'missive_subscriber',
  locations: 'missive_location',
  locationsByHolder: 'missive_location_by_holder',
  instances: 'missive_instance',
  clusterNotices: 'missive_cluster_notice',
} as const;

/**
 * How long a cluster notice lives: as long as the PostgreSQL store keeps them (server/cluster.ts purges after
 * 10 min), far longer than a listener that fails to read takes to read again.
 */
export const CLUSTER_NOTICE_TTL_S = 600;

/** The version a Cassandra store reports as its schemaVersion: its tables as created here. */
export const CASSANDRA_SCHEMA_VERSION = 1;

function tableStatements(): string[] {
  const t = CASSANDRA_TABLES;
  return [
    `CREATE TABLE IF NOT EXISTS ${t.pushTokens} (username text, domain text, device_id text, app_id text,
      background_token text, device_token text, platform text, silent text, user_agent text,
      PRIMARY KEY ((username, domain), device_id, app_id))`,
    `CREATE TABLE IF NOT EXISTS ${t.messages} (account text, created_at timestamp, message_id text,
      contact text, direction text, content text, content_type text, disposition list<text>, state text,
      msg_timestamp timestamp, PRIMARY KEY (account, created_at, message_id)) ${MESSAGE_TABLE_OPTIONS}`,
    `CREATE TABLE IF NOT EXISTS ${t.messageIds} (message_id text PRIMARY KEY, created_at timestamp)
      ${MESSAGE_TABLE_OPTIONS}`,
    `CREATE TABLE IF NOT EXISTS ${t.publicKeys} (account text PRIMARY KEY, public_key text, created_at timestamp)`,
    `CREATE TABLE IF NOT EXISTS ${t.accounts} (account text PRIMARY KEY, api_token text, last_login timestamp)`,
    // Rows written with a TTL of the token's lifetime: an expired token disappears by itself.
    `CREATE TABLE IF NOT EXISTS ${t.accountTokens} (account text PRIMARY KEY, token_hash text,
      token_expires_at timestamp)`,
    `CREATE TABLE IF NOT EXISTS ${t.tokenOwners} (token_hash text PRIMARY KEY, account text,
      token_expires_at timestamp)`,
    // missive's journal (cassandra/journal.ts): one partition per account, its state in static columns, so
    // that every write is one lightweight transaction on one partition. Rows: entries (kind 'e', key the
    // zero-padded sequence) and the message-id index (kind 'i', key the message id).
    `CREATE TABLE IF NOT EXISTS ${t.journal} (account text, kind text, key text, seq bigint, message_id text,
      created_at bigint, contact text, direction text, content text, content_type text, disposition list<text>,
      has_disposition boolean, state text, msg_timestamp text, unread boolean, content_bytes bigint,
      version bigint static, next_seq bigint static, last_created_at bigint static, entry_count bigint static,
      content_total bigint static, unread_counts map<text, bigint> static, PRIMARY KEY (account, kind, key))`,
    `CREATE TABLE IF NOT EXISTS ${t.pushTokenTimes} (username text, domain text, device_id text, app_id text,
      updated_at timestamp, PRIMARY KEY ((username, domain), device_id, app_id))`,
    `CREATE TABLE IF NOT EXISTS ${t.addressBooks} (account text PRIMARY KEY, document text, version int,
      updated_at timestamp)`,
    // SIP credentials, with the columns of Kamailio's subscriber table; one partition per subscriber.
    `CREATE TABLE IF NOT EXISTS ${t.subscribers} (username text, domain text, password text, ha1 text,
      ha1b text, ha1_sha256 text, PRIMARY KEY ((username, domain)))`,
    // Registrations (cassandra/locations.ts), the columns of the SQL location table (location/row.ts); one
    // partition per AOR, rows written with a TTL so that a dead instance's bindings go by themselves.
    `CREATE TABLE IF NOT EXISTS ${t.locations} (aor text, binding_key text, contact text, instance_id text,
      reg_id int, q double, expires_at bigint, call_id text, cseq bigint, path text, transport text,
      source_host text, source_port int, connection_id text, user_agent text, push_provider text,
      push_prid text, push_param text, push_extra text, updated_at bigint, holder text,
      PRIMARY KEY (aor, binding_key))`,
    // Several instances on one keyspace (cassandra/cluster.ts). The bindings each instance holds, written
    // before the binding with its TTL, so that the others find a dead instance's bindings without a scan.
    `CREATE TABLE IF NOT EXISTS ${t.locationsByHolder} (holder text, aor text, binding_key text,
      PRIMARY KEY (holder, aor, binding_key))`,
    // The instances, all in one partition (scope 'all'): listing them is one partition read, not a scan.
    `CREATE TABLE IF NOT EXISTS ${t.instances} (scope text, id text, address text, heartbeat_at bigint,
      PRIMARY KEY (scope, id))`,
    // The notices between instances: one partition per 10 s of the writer's clock, rows in time order. Only
    // ever written, never deleted, each living CLUSTER_NOTICE_TTL_S: time-window compaction drops whole
    // SSTables as they expire, and expired cells need no long tombstone grace.
    `CREATE TABLE IF NOT EXISTS ${t.clusterNotices} (bucket bigint, created_at bigint, writer text, seq bigint,
      origin text, payload text, PRIMARY KEY (bucket, created_at, writer, seq))
      WITH default_time_to_live = ${String(CLUSTER_NOTICE_TTL_S)} AND gc_grace_seconds = 3600
      AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'MINUTES',
      'compaction_window_size': 1}`,
  ];
}

/** The tables createSchema() makes, in its order. */
export const CASSANDRA_TABLE_NAMES: readonly string[] = Object.values(CASSANDRA_TABLES);

export interface SchemaState {
  readonly keyspace: boolean;
  /** Every table of CASSANDRA_TABLE_NAMES, and whether the keyspace has it. */
  readonly tables: ReadonlyMap<string, boolean>;
}

/** What of the schema the keyspace has (dbinit's report, sylk spec §6). */
export async function schemaState(session: CassandraSession, keyspace: string): Promise<SchemaState> {
  const found = await session.rows(
    'SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?',
    [keyspace],
  );
  const rows = await session.rows('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [
    keyspace,
  ]);
  const present = new Set(rows.map((row) => String(row.get('table_name'))));
  return {
    keyspace: found.length > 0,
    tables: new Map(CASSANDRA_TABLE_NAMES.map((name) => [name, present.has(name)])),
  };
}

/** Creates the keyspace when missing, then the tables that are missing, inside it. */
export async function createSchema(session: CassandraSession, location: CassandraLocation): Promise<void> {
  await session.schema(
    `CREATE KEYSPACE IF NOT EXISTS ${location.keyspace} WITH replication = ` +
      `{'class': 'SimpleStrategy', 'replication_factor': ${location.replication}}`,
  );
  for (const statement of tableStatements()) {
    await session.schema(statement.replace('IF NOT EXISTS ', `IF NOT EXISTS ${location.keyspace}.`));
  }
}
