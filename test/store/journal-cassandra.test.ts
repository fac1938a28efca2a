// The journal conformance suite's companion stores on a real Cassandra node (a fresh keyspace per test,
// dropped afterwards): storage accounts and API tokens, public keys, push tokens. Left out until the
// Cassandra journal exists (issue 16, next stage): append, order and cursors, reads bounded by size,
// accounts are separate, usage, state and disposition, unread counters, operations, legacy history query,
// retention, durability and lifecycle (each of those needs store.journal, which rejects on Cassandra today).
import { cassandraBackend } from './cassandra-backend.js';
import { runJournalConformanceSuite } from './journal-conformance.js';

runJournalConformanceSuite('Cassandra', cassandraBackend, [
  'storage accounts and API tokens',
  'public keys',
  'push tokens (§3.9)',
]);
