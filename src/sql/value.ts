/**
 * The one type of a value bound to an SQL statement's parameter, in every backend (the store's SQLite and
 * PostgreSQL, the credential backend's MySQL, PostgreSQL and SQLite). A Buffer goes to BYTEA or BLOB. An
 * array binds as a PostgreSQL array (`= ANY($1::text[])`, `unnest($1::text[])`); only the PostgreSQL
 * store's own statements use one, SQLite and MySQL refuse it.
 */
export type SqlValue = string | number | null | Buffer | (string | number | null | Buffer)[];
