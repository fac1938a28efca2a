/**
 * How fast `missive import sylkserver` writes messages (docs/import-sylkserver.md): a SylkServer file backend
 * of N messages (built by test/import/sylkserver/sylkserver-data.ts) imported into a fresh SQLite file and a
 * fresh PostgreSQL schema, one message per transaction (batch 1, as before batching) and IMPORT_BATCH per
 * transaction, A/B in the same run. Prints messages/s (wall) and the importer's own CPU per message
 * (process.cpuUsage: this process, not the database server's).
 *
 *   node --import tsx bench/import/sylkserver.ts [messages] [accounts]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SylkServerFileSource } from '../../src/import/sylkserver/file-source.js';
import { IMPORT_BATCH, importSylkServer } from '../../src/import/sylkserver/importer.js';
import { openStore, type Store } from '../../src/store/index.js';
import { writeLargeStorageDir } from '../../test/import/sylkserver/sylkserver-data.js';

const POSTGRES_URI = process.env.MISSIVE_TEST_POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const MESSAGES = Number(process.argv[2] ?? 20_000);
const ACCOUNTS = Number(process.argv[3] ?? 20);

interface Target {
  readonly name: string;
  readonly store: Store;
  close(): Promise<void>;
}

async function sqlite(dir: string): Promise<Target> {
  const store = await openStore(`sqlite://${join(await mkdtemp(join(dir, 'sqlite-')), 'missive.db')}`);
  return { name: 'SQLite', store, close: () => store.close() };
}

async function postgres(): Promise<Target> {
  const schema = `missive_bench_import_${randomBytes(4).toString('hex')}`;
  const store = await openStore(`${POSTGRES_URI}${POSTGRES_URI.includes('?') ? '&' : '?'}schema=${schema}`);
  return {
    name: 'PostgreSQL',
    store,
    async close() {
      await store.close();
      const admin = new pg.Client({ connectionString: POSTGRES_URI });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const dir = await mkdtemp(join(tmpdir(), 'missive-bench-import-'));
try {
  const storage = join(dir, 'storage');
  await writeLargeStorageDir(storage, ACCOUNTS, Math.ceil(MESSAGES / ACCOUNTS));
  for (const open of [() => sqlite(dir), postgres]) {
    for (const batchSize of [1, IMPORT_BATCH]) {
      const target = await open();
      const source = await SylkServerFileSource.open(storage);
      if (typeof source === 'string') throw new Error(source);
      try {
        const cpu = process.cpuUsage();
        const start = performance.now();
        const summary = await importSylkServer(source, target.store, {
          dryRun: false,
          now: () => Date.now(),
          batchSize,
        });
        const seconds = (performance.now() - start) / 1000;
        const used = process.cpuUsage(cpu);
        const { imported } = summary.counts.messages;
        process.stdout.write(
          `${target.name}, ${String(batchSize)} per transaction: ${String(imported)} messages in ` +
            `${seconds.toFixed(1)} s, ${(imported / seconds).toFixed(0)} messages/s, ` +
            `${((used.user + used.system) / imported).toFixed(0)} µs CPU per message (importer)\n`,
        );
      } finally {
        await source.close();
        await target.close();
      }
    }
  }
  process.stdout.write(
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
