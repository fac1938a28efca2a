// The journal conformance suite, and its companion stores (storage accounts and API tokens, public keys,
// push tokens), on a real Cassandra node (a fresh keyspace per test, dropped afterwards).
import { cassandraBackend } from './cassandra-backend.js';
import { runJournalConformanceSuite } from './journal-conformance.js';

runJournalConformanceSuite('Cassandra', cassandraBackend);
