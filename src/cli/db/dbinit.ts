/**
 * `missive db dbinit` (sylk spec §6 `dbinit`): creates or updates the store's schema. On Cassandra it says
 * what the keyspace has and lacks (the reference's tables and missive's), and asks before creating what is
 * missing unless `yes`; it never alters or drops an existing table. On SQLite and PostgreSQL it applies the
 * missing migrations. Resolves to the exit status: 0 done or nothing to do, 1 declined.
 */
import { openStore } from '../../store/index.js';
import type { Questions } from './line-reader.js';
import { parseStoreUri } from '../../store/uri.js';
import { EXIT_FAILED, EXIT_OK } from '../store-program.js';

export interface DbinitContext {
  readonly uri: string;
  readonly yes: boolean;
  readonly questions: Questions;
  readonly print: (line: string) => void;
  readonly fail: (line: string) => void;
}

export async function dbinit(context: DbinitContext): Promise<number> {
  const location = parseStoreUri(context.uri);
  if (location.backend !== 'cassandra') {
    const store = await openStore(context.uri);
    try {
      context.print(`${store.description} is at schema version ${String(store.schemaVersion)}`);
    } finally {
      await store.close();
    }
    return EXIT_OK;
  }
  const { inspectCassandraSchema } = await import('../../store/cassandra/cassandra-store.js');
  const { keyspace } = location.location;
  const state = await inspectCassandraSchema(location.location);
  context.print(
    state.keyspace
      ? `Keyspace ${keyspace} is already on the server.`
      : `Keyspace ${keyspace} is not defined on the server`,
  );
  const missing = [...state.tables].filter(([, present]) => !present).map(([table]) => table);
  for (const [table, present] of state.tables) {
    context.print(`Table ${table} is ${present ? '' : 'not '}in the keyspace ${keyspace}`);
  }
  if (state.keyspace && missing.length === 0) {
    context.print(`Keyspace ${keyspace} has every table: nothing to do`);
    return EXIT_OK;
  }
  const what = state.keyspace
    ? `This creates ${String(missing.length)} table(s) in ${keyspace}.`
    : `This creates the keyspace ${keyspace} (SimpleStrategy, replication ${String(location.location.replication)}) and its tables.`;
  if (!context.yes) {
    const answer = await context.questions.confirm(`${what} Would you like to continue?`);
    if (answer !== true) {
      context.fail(answer === undefined ? 'no answer: nothing created' : 'nothing created');
      return EXIT_FAILED;
    }
  }
  const store = await openStore(context.uri);
  await store.close();
  for (const table of missing) context.print(`Created table ${table} in the keyspace ${keyspace}`);
  return EXIT_OK;
}
