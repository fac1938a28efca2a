// The address book store's contract on SQLite, PostgreSQL and the Cassandra node of scripts/cassandra/node.sh.
import { describe } from 'node:test';
import { runAddressBookConformance } from './address-book-conformance.js';
import { postgresBackend, sqliteBackend } from './backends.js';
import { cassandraBackend } from './cassandra-backend.js';

describe('SQLite', () => {
  runAddressBookConformance(sqliteBackend);
});
describe('PostgreSQL', () => {
  runAddressBookConformance(postgresBackend);
});
describe('Cassandra', () => {
  runAddressBookConformance(cassandraBackend);
});
