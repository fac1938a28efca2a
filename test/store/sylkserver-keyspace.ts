/** SylkServer's Cassandra tables (sylk spec §3.11), for the tests that play an existing SylkServer keyspace. */

/** The reference's tables, as its cqlengine models create them (sylk spec §3.11), without missive's. */
export const SYLKSERVER_TABLES = [
  `CREATE TABLE push_tokens (username text, domain text, device_id text, app_id text, background_token text,
    device_token text, platform text, silent text, user_agent text, PRIMARY KEY ((username, domain), device_id, app_id))`,
  `CREATE TABLE chat_messages_by_timestamp (account text, created_at timestamp, message_id text, contact text,
    direction text, content text, content_type text, disposition list<text>, state text, msg_timestamp timestamp,
    PRIMARY KEY (account, created_at, message_id)) WITH default_time_to_live = 31536000 AND gc_grace_seconds = 345600`,
  `CREATE TABLE chat_message_created_at_by_id (message_id text PRIMARY KEY, created_at timestamp)
    WITH default_time_to_live = 31536000 AND gc_grace_seconds = 345600`,
  'CREATE TABLE public_key_by_account (account text PRIMARY KEY, public_key text, created_at timestamp)',
  'CREATE TABLE chat_accounts (account text PRIMARY KEY, api_token text, last_login timestamp)',
];
