// The journal conformance suite on PostgreSQL (a fresh schema per test, dropped afterwards).
import { postgresBackend } from './backends.js';
import { runJournalConformanceSuite } from './journal-conformance.js';

runJournalConformanceSuite('PostgreSQL', postgresBackend);
