/**
 * The SQLite schema, step by step, and the runner. No STRICT tables: SQLite before 3.37 cannot open a
 * file that has one, and older readers (msrprelay's Python, Kamailio's db_sqlite) read `subscriber` here.
 */
import type Database from 'better-sqlite3';
import { latestVersion, type Migration, pendingMigrations } from '../migrations.js';
import { SCHEMA_TABLE, tableNamer } from '../tables.js';
import { toStoreError } from './connection.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'subscriber table (Kamailio/OpenSIPS layout, with ha1_sha256)',
    statements: (t) => [
      // Kamailio's columns and sizes; password may be NULL (see subscribers/write.ts).
      `CREATE TABLE ${t('subscriber')} (
        id INTEGER PRIMARY KEY NOT NULL,
        username VARCHAR(64) DEFAULT '' NOT NULL,
        domain VARCHAR(64) DEFAULT '' NOT NULL,
        password VARCHAR(64) DEFAULT NULL,
        ha1 VARCHAR(128) DEFAULT '' NOT NULL,
        ha1b VARCHAR(128) DEFAULT '' NOT NULL,
        ha1_sha256 VARCHAR(128) DEFAULT '' NOT NULL,
        CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
      )`,
      // Kamailio's, for auth_db with use_domain = 0, which looks up by username alone.
      `CREATE INDEX subscriber_username_idx ON ${t('subscriber')} (username)`,
    ],
  },
  {
    version: 2,
    description: 'registrar location table',
    statements: (t) => [
      // Clustered by (aor, binding_key): a lookup reads one contiguous range of the table's own b-tree.
      `CREATE TABLE ${t('missive_location')} (
        aor TEXT NOT NULL,
        binding_key TEXT NOT NULL,
        contact TEXT NOT NULL,
        instance_id TEXT,
        reg_id INTEGER,
        q REAL,
        expires_at INTEGER NOT NULL,
        call_id TEXT NOT NULL,
        cseq INTEGER NOT NULL,
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
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (aor, binding_key)
      ) WITHOUT ROWID`,
      `CREATE INDEX missive_location_expires_idx ON ${t('missive_location')} (expires_at)`,
    ],
  },
  {
    version: 3,
    description: 'message journal, unread counters, storage accounts, public keys, push tokens',
    statements: (t) => [
      // A rowid table: appends go to the end of the table's b-tree and large bodies do not bloat an index.
      // (account, seq) is the order and the cursor; (account, message_id) the id mapping and dedup;
      // (account, contact) serves read/remove of a conversation; created_at the retention purge and
      // (account, created_at, seq) the legacy `since` query (its first entry, in order, without sorting).
      `CREATE TABLE ${t('missive_journal')} (
        account TEXT NOT NULL,
        seq INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        contact TEXT NOT NULL,
        direction TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content TEXT NOT NULL,
        disposition TEXT,
        state TEXT,
        msg_timestamp TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        unread INTEGER DEFAULT 0 NOT NULL,
        PRIMARY KEY (account, seq),
        CONSTRAINT missive_journal_message_idx UNIQUE (account, message_id)
      )`,
      `CREATE INDEX missive_journal_contact_idx ON ${t('missive_journal')} (account, contact)`,
      `CREATE INDEX missive_journal_account_created_idx ON ${t('missive_journal')} (account, created_at, seq)`,
      `CREATE INDEX missive_journal_created_idx ON ${t('missive_journal')} (created_at)`,
      // One row per account that ever had an entry: the last sequence number given (never reused, even
      // after the newest entry is removed) and the last createdAt (which never decreases).
      `CREATE TABLE ${t('missive_journal_account')} (
        account TEXT PRIMARY KEY NOT NULL,
        last_seq INTEGER NOT NULL,
        last_created_at INTEGER NOT NULL
      ) WITHOUT ROWID`,
      `CREATE TABLE ${t('missive_journal_unread')} (
        account TEXT NOT NULL,
        contact TEXT NOT NULL,
        unread INTEGER NOT NULL,
        PRIMARY KEY (account, contact)
      ) WITHOUT ROWID`,
      `CREATE TABLE ${t('missive_storage_account')} (
        account TEXT PRIMARY KEY NOT NULL,
        last_login INTEGER NOT NULL,
        token_hash TEXT,
        token_expires_at INTEGER
      )`,
      `CREATE UNIQUE INDEX missive_storage_account_token_idx ON ${t('missive_storage_account')} (token_hash)`,
      `CREATE TABLE ${t('missive_public_key')} (
        account TEXT PRIMARY KEY NOT NULL,
        public_key TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE TABLE ${t('missive_push_token')} (
        account TEXT NOT NULL,
        app_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        token TEXT NOT NULL,
        background_token TEXT,
        platform TEXT NOT NULL,
        silent INTEGER NOT NULL,
        user_agent TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, app_id, device_id)
      ) WITHOUT ROWID`,
    ],
  },
  {
    version: 4,
    description: "Kamailio's version table, so its auth_db module can read the subscriber table",
    statements: (t) => [
      // Kamailio's layout; IF NOT EXISTS and the conflict clause keep a database Kamailio made itself.
      `CREATE TABLE IF NOT EXISTS ${t('version')} (
        id INTEGER PRIMARY KEY NOT NULL,
        table_name VARCHAR(32) NOT NULL,
        table_version INTEGER DEFAULT 0 NOT NULL,
        CONSTRAINT version_t_name_idx UNIQUE (table_name)
      )`,
      // 7: the subscriber table version of Kamailio 5.x, which auth_db checks at start-up.
      `INSERT OR IGNORE INTO ${t('version')} (table_name, table_version) VALUES ('subscriber', 7)`,
    ],
  },
  {
    version: 5,
    description: 'journal usage counters (entries, content bytes) per account, kept by triggers',
    statements: (t) => {
      const j = t('missive_journal');
      const a = t('missive_journal_account');
      // Triggers rather than code in each write path: append, removals, removeAll and the retention purge
      // all keep the counters in their own transaction, and a write added later cannot forget them. Every
      // entry's account has its row here (an append takes its sequence number first).
      return [
        `ALTER TABLE ${a} ADD COLUMN entries INTEGER DEFAULT 0 NOT NULL`,
        `ALTER TABLE ${a} ADD COLUMN content_bytes INTEGER DEFAULT 0 NOT NULL`,
        `UPDATE ${a} SET entries = (SELECT COUNT(*) FROM ${j} e WHERE e.account = ${a}.account),
          content_bytes = (SELECT COALESCE(SUM(octet_length(e.content)), 0) FROM ${j} e WHERE e.account = ${a}.account)`,
        `CREATE TRIGGER missive_journal_usage_insert AFTER INSERT ON ${j} FOR EACH ROW BEGIN
          UPDATE ${a} SET entries = entries + 1, content_bytes = content_bytes + octet_length(NEW.content)
          WHERE account = NEW.account;
        END`,
        `CREATE TRIGGER missive_journal_usage_delete AFTER DELETE ON ${j} FOR EACH ROW BEGIN
          UPDATE ${a} SET entries = entries - 1, content_bytes = content_bytes - octet_length(OLD.content)
          WHERE account = OLD.account;
        END`,
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
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID`,
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
        heartbeat_at INTEGER NOT NULL
      ) WITHOUT ROWID`,
      // Messaging events for the other instances' devices, read by id after a notification.
      `CREATE TABLE ${t('missive_cluster_notice')} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        origin TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
    ],
  },
];

/**
 * Brings the database to the list's last version in one IMMEDIATE transaction (the write lock is taken
 * first, so two processes opening a new file do not both migrate it). Returns the version. Throws
 * SchemaVersionError for a newer database; on any failure nothing is changed.
 */
export function migrateSqlite(db: Database.Database, migrations: readonly Migration[]): number {
  const latest = latestVersion(migrations);
  const t = tableNamer('sqlite');
  const schema = t(SCHEMA_TABLE);
  const migrate = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${schema} (
      version INTEGER PRIMARY KEY NOT NULL,
      description TEXT NOT NULL,
      applied_at TEXT DEFAULT CURRENT_TIMESTAMP NOT NULL
    )`);
    const current = db.prepare(`SELECT COALESCE(MAX(version), 0) FROM ${schema}`).pluck().get() as number;
    const record = db.prepare(`INSERT INTO ${schema} (version, description) VALUES (?, ?)`);
    for (const migration of pendingMigrations(migrations, current)) {
      for (const statement of migration.statements(t)) db.exec(statement);
      record.run(migration.version, migration.description);
    }
  });
  try {
    migrate.immediate();
  } catch (error) {
    throw toStoreError(error, db.name);
  }
  return latest;
}
