/**
 * The journal on Cassandra: the shared checks (CheckedJournalStore) over this backend's reads
 * (journal-reader.ts) and its per-account lightweight transactions (journal-writer.ts); the table layout is
 * in journal-rows.ts.
 */
import { CheckedJournalStore } from '../journal/checked-journal-store.js';
import { CassandraJournalReader } from './journal-reader.js';
import { CassandraJournalWriter } from './journal-writer.js';
import { CASSANDRA_TABLES } from './schema.js';
import type { CassandraSession } from './session.js';

export class CassandraJournalStore extends CheckedJournalStore {
  constructor(session: CassandraSession, keyspace: string) {
    const table = `${keyspace}.${CASSANDRA_TABLES.journal}`;
    const reader = new CassandraJournalReader(session, table);
    super(reader, new CassandraJournalWriter(session, table, reader));
  }
}
