/** The PostgreSQL schema, step by step, and the runner. Same tables and columns as SQLite's. */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { quoteSqlName } from '../../sql/identifiers.js';
import { latestVersion, type Migration, pendingMigrations } from '../migrations.js';
import { SCHEMA_TABLE, tableNamer } from '../tables.js';
import type { PostgresPool } from './pool.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'subscriber table (Kamailio/OpenSIPS layout, with ha1_sha256)',
    statements: (t) => [
      // Kamailio's columns and sizes; password may be NULL (see subscribers/write.ts).
      `CREATE TABLE ${t('subscriber')} (
        id SERIAL PRIMARY KEY NOT NULL,
        username VARCHAR(64) DEFAULT '' NOT NULL,
        domain VARCHAR(64) DEFAULT '' NOT NULL,
        password VARCHAR(64) DEFAULT NULL,
        ha1 VARCHAR(128) DEFAULT '' NOT NULL,
        ha1b VARCHAR(128) DEFAULT '' NOT NULL,
        ha1_sha256 VARCHAR(128) DEFAULT '' NOT NULL,
        CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
      )`,
      `CREATE INDEX subscriber_username_idx ON ${t('subscriber')} (username)`,
    ],
  },
  {
    version: 2,
    description: 'registrar location table',
    statements: (t) => [
      `CREATE TABLE ${t('missive_location')} (
        aor TEXT NOT NULL,
        binding_key TEXT NOT NULL,
        contact TEXT NOT NULL,
        instance_id TEXT,
        reg_id INTEGER,
        q DOUBLE PRECISION,
        expires_at BIGINT NOT NULL,
        call_id TEXT NOT NULL,
        cseq BIGINT NOT NULL,
        path TEXT NOT NULL,
        transport TEXT NOT NULL,
        source_host TEXT NOT NULL,
        source_port INTEGER NOT NULL,
        connection_id TEXT,
        user_agent TEXT,
        push_provider TEXT,
        push_prid TEXT,
        push_param TEXT,
        push_extra TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (aor, binding_key)
      )`,
      `CREATE INDEX missive_location_expires_idx ON ${t('missive_location')} (expires_at)`,
    ],
  },
  {
    version: 3,
    description: 'message journal, unread counters, storage accounts, public keys, push tokens',
    statements: (t) => [
      // See the SQLite step for what each index serves. created_at is UTC milliseconds (BIGINT), like
      // every time missive stores, so both backends compare the same numbers. content is the body's UTF-8
      // bytes: binary bodies travel as latin-1 text (sylk spec §1.4.6) with NUL characters, which TEXT cannot
      // hold.
      `CREATE TABLE ${t('missive_journal')} (
        account TEXT NOT NULL,
        seq BIGINT NOT NULL,
        message_id TEXT NOT NULL,
        contact TEXT NOT NULL,
        direction TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content BYTEA NOT NULL,
        disposition TEXT,
        state TEXT,
        msg_timestamp TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        unread SMALLINT DEFAULT 0 NOT NULL,
        PRIMARY KEY (account, seq),
        CONSTRAINT missive_journal_message_idx UNIQUE (account, message_id)
      )`,
      `CREATE INDEX missive_journal_contact_idx ON ${t('missive_journal')} (account, contact)`,
      `CREATE INDEX missive_journal_account_created_idx ON ${t('missive_journal')} (account, created_at, seq)`,
      `CREATE INDEX missive_journal_created_idx ON ${t('missive_journal')} (created_at)`,
      // Also each account's write lock: every journal write locks its row first (postgres/journal.ts).
      `CREATE TABLE ${t('missive_journal_account')} (
        account TEXT PRIMARY KEY NOT NULL,
        last_seq BIGINT NOT NULL,
        last_created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE ${t('missive_journal_unread')} (
        account TEXT NOT NULL,
        contact TEXT NOT NULL,
        unread INTEGER NOT NULL,
        PRIMARY KEY (account, contact)
      )`,
      `CREATE TABLE ${t('missive_storage_account')} (
        account TEXT PRIMARY KEY NOT NULL,
        last_login BIGINT NOT NULL,
        token_hash TEXT,
        token_expires_at BIGINT,
        CONSTRAINT missive_storage_account_token_idx UNIQUE (token_hash)
      )`,
      `CREATE TABLE ${t('missive_public_key')} (
        account TEXT PRIMARY KEY NOT NULL,
        public_key TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE ${t('missive_push_token')} (
        account TEXT NOT NULL,
        app_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        token TEXT NOT NULL,
        background_token TEXT,
        platform TEXT NOT NULL,
        silent SMALLINT NOT NULL,
        user_agent TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account, app_id, device_id)
      )`,
    ],
  },
  {
    version: 4,
    description: "Kamailio's version table, so its auth_db module can read the subscriber table",
    statements: (t) => [
      // Kamailio's layout; IF NOT EXISTS and the conflict clause keep a database Kamailio made itself.
      `CREATE TABLE IF NOT EXISTS ${t('version')} (
        id SERIAL PRIMARY KEY NOT NULL,
        table_name VARCHAR(32) NOT NULL,
        table_version INTEGER DEFAULT 0 NOT NULL,
        CONSTRAINT version_t_name_idx UNIQUE (table_name)
      )`,
      // 7: the subscriber table version of Kamailio 5.x, which auth_db checks at start-up.
      `INSERT INTO ${t('version')} (table_name, table_version) VALUES ('subscriber', 7) ON CONFLICT (table_name) DO NOTHING`,
    ],
  },
  {
    version: 5,
    description: 'journal usage counters (entries, content bytes) per account, kept by triggers',
    statements: (t) => {
      const j = t('missive_journal');
      const a = t('missive_journal_account');
      // As SQLite's step 5, but per statement, from the transition tables: a batch or a purge chunk updates
      // each account's row once. The rows are already locked by the statement that fires the trigger (every
      // journal write locks its accounts' rows first), so the triggers add no lock order of their own.
      const usage = (sign: '+' | '-', rows: string): string =>
        `UPDATE ${a} AS a SET entries = a.entries ${sign} d.n, content_bytes = a.content_bytes ${sign} d.b
        FROM (SELECT account, COUNT(*) AS n, COALESCE(SUM(octet_length(content)), 0) AS b FROM ${rows}
        GROUP BY account) d WHERE a.account = d.account`;
      const trigger = (name: string, event: 'INSERT' | 'DELETE', sign: '+' | '-', rows: string): string[] => [
        `CREATE FUNCTION ${t(name)}() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN ${usage(sign, rows)}; RETURN NULL; END $body$`,
        `CREATE TRIGGER ${name} AFTER ${event} ON ${j}
        REFERENCING ${event === 'INSERT' ? 'NEW' : 'OLD'} TABLE AS ${rows}
        FOR EACH STATEMENT EXECUTE FUNCTION ${t(name)}()`,
      ];
      return [
        `ALTER TABLE ${a} ADD COLUMN entries BIGINT DEFAULT 0 NOT NULL,
          ADD COLUMN content_bytes BIGINT DEFAULT 0 NOT NULL`,
        usage('+', j),
        ...trigger('missive_journal_usage_insert', 'INSERT', '+', 'added'),
        ...trigger('missive_journal_usage_delete', 'DELETE', '-', 'removed'),
      ];
    },
  },
  {
    version: 6,
    description: 'the sylkRTC address book of each account, one JSON document with a version',
    statements: (t) => [
      `CREATE TABLE ${t('missive_address_book')} (
        account TEXT PRIMARY KEY NOT NULL,
        document TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    version: 7,
    description: 'several instances: the instance holding each binding, instances with heartbeats, notices',
    statements: (t) => [
      // The instance whose connection a binding's flow is on (NULL for a single instance): the others route
      // through it, and remove its bindings when it stops beating (docs/scaling.md).
      `ALTER TABLE ${t('missive_location')} ADD COLUMN holder TEXT`,
      `CREATE INDEX missive_location_holder_idx ON ${t('missive_location')} (holder)`,
      `CREATE TABLE ${t('missive_instance')} (
        id TEXT PRIMARY KEY NOT NULL,
        address TEXT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      )`,
      // Messaging events for the other instances' devices, read by id after a notification.
      `CREATE TABLE ${t('missive_cluster_notice')} (
        id BIGSERIAL PRIMARY KEY NOT NULL,
        origin TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
    ],
  },
];

/**
 * Brings the database (or `schema`, created when missing) to the list's last version in one transaction,
 * under an advisory lock so that instances starting together migrate once. Returns the version. Throws
 * SchemaVersionError for a newer database; on any failure nothing is changed.
 */
export async function migratePostgres(
  pool: PostgresPool,
  schema: string | undefined,
  migrations: readonly Migration[],
): Promise<number> {
  const latest = latestVersion(migrations);
  const t = tableNamer('postgres', schema);
  const schemaTable = t(SCHEMA_TABLE);
  let client: pg.PoolClient;
  try {
    client = await pool.pool.connect();
  } catch (error) {
    throw pool.error(error);
  }
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(schema)]);
    if (schema !== undefined) {
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
        schema.toLowerCase(),
      ]);
      if (found.rowCount === 0)
        await client.query(`CREATE SCHEMA ${quoteSqlName('postgres', schema, 'schema')}`);
    }
    await client.query(`CREATE TABLE IF NOT EXISTS ${schemaTable} (
      version INTEGER PRIMARY KEY NOT NULL,
      description TEXT NOT NULL,
      applied_at TIMESTAMPTZ DEFAULT now() NOT NULL
    )`);
    const current = await client.query<{ version: number }>(
      `SELECT COALESCE(MAX(version), 0) AS version FROM ${schemaTable}`,
    );
    for (const migration of pendingMigrations(migrations, current.rows[0]?.version ?? 0)) {
      for (const statement of migration.statements(t)) await client.query(statement);
      await client.query(`INSERT INTO ${schemaTable} (version, description) VALUES ($1, $2)`, [
        migration.version,
        migration.description,
      ]);
    }
    await client.query('COMMIT');
    return latest;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw pool.error(error);
  } finally {
    // A connection that failed mid-transaction is discarded rather than returned in an unknown state.
    client.release(failed);
  }
}

/** A 64-bit advisory lock key per schema, so that migrations of different schemas do not wait on each other. */
function lockKey(schema: string | undefined): string {
  const digest = createHash('sha256')
    .update(`missive_schema:${schema?.toLowerCase() ?? ''}`)
    .digest();
  return digest.readBigInt64BE(0).toString();
}
