// The journal conformance suite on SQLite (a temporary file per test).
import { sqliteBackend } from './backends.js';
import { runJournalConformanceSuite } from './journal-conformance.js';

runJournalConformanceSuite('SQLite', sqliteBackend);
