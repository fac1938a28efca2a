// The store conformance suite (subscribers, registrations, durability) on a real Cassandra node (a fresh
// keyspace per test, dropped afterwards); the journal's is journal-cassandra.test.ts.
import { cassandraBackend } from './cassandra-backend.js';
import { runConformanceSuite } from './conformance.js';

runConformanceSuite('Cassandra', cassandraBackend, { sql: false, raceWrites: 150, timeoutMs: 900_000 });
