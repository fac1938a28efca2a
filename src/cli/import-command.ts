/**
 * `missive import sylkserver`: brings a SylkServer deployment's data into missive's store — from its file
 * backend (`--storage-dir`, SylkServer's `[FileStorage] storage_dir`) or its Cassandra keyspace
 * (`--cassandra cassandra://host/keyspace`) — and its uploaded files (`--file-transfers`). Idempotent; with
 * `--dry-run` it says what it would do. A progress bar on a terminal, a summary on stdout, each problem on
 * stderr. Exit status 0 when everything was imported or already there, 1 when some items could not be (each
 * named) or the store is unavailable, 2 for a usage error.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CassandraSession } from '../store/cassandra/session.js';
import { parseCassandraUri } from '../store/cassandra/uri.js';
import { openStore, StoreUriError } from '../store/index.js';
import { copyFileTransfers } from '../import/sylkserver/file-transfers.js';
import { SylkServerCassandraSource } from '../import/sylkserver/cassandra-source.js';
import { SylkServerFileSource } from '../import/sylkserver/file-source.js';
import { IMPORT_KINDS, type ImportProgress, importSylkServer } from '../import/sylkserver/importer.js';
import type { SylkServerSource } from '../import/sylkserver/legacy-data.js';
import { storeUri } from './store-location.js';
import { EXIT_FAILED, EXIT_OK, type StoreOptions, storeProgram, UsageError } from './store-program.js';

interface ImportCommandOptions extends StoreOptions {
  storageDir?: string;
  cassandra?: string;
  fileTransfers?: string;
  dryRun?: boolean;
}

/** Problems listed one by one on stderr at most; the rest are counted. */
const MAX_LISTED_PROBLEMS = 50;
const CASSANDRA_TIMEOUT_MS = 30_000;

export async function runImportCommand(args: readonly string[]): Promise<number> {
  const commands = storeProgram('import', 'bring the data of another server into missive’s store');
  const { program, action } = commands;
  const sylkserver = program
    .command('sylkserver')
    .description(
      'a SylkServer deployment: accounts, API tokens, messages, public keys, push tokens, address books and uploaded files',
    )
    .option('--storage-dir <dir>', "SylkServer's file backend ([FileStorage] storage_dir)")
    .option('--cassandra <uri>', "SylkServer's Cassandra keyspace: cassandra://host[:port]/keyspace")
    .option('--file-transfers <dir>', "SylkServer's file_transfer_dir, copied into <data dir>/file_transfers")
    .option('--dry-run', 'read and compare, write nothing')
    .action(
      action(async () => {
        const options = { ...commands.storeOptions(), ...sylkserver.opts<ImportCommandOptions>() };
        return runImport(options);
      }),
    );
  if (args.length === 0) {
    process.stdout.write(program.helpInformation());
    return EXIT_OK;
  }
  return commands.run(args);
}

async function runImport(options: ImportCommandOptions): Promise<number> {
  if ((options.storageDir === undefined) === (options.cassandra === undefined)) {
    throw new UsageError(
      'name the SylkServer data: --storage-dir DIR or --cassandra cassandra://host/keyspace',
    );
  }
  const dryRun = options.dryRun === true;
  const source = await openSource(options);
  // A dry run into a data directory that has no store yet compares with an empty one, made aside.
  const scratch =
    dryRun && options.store === undefined && !existsSync(join(resolve(options.dataDir), 'missive.db'))
      ? await mkdtemp(join(tmpdir(), 'missive-import-dry-run-'))
      : undefined;
  const store = await openStore(
    await storeUri(options.store, scratch ?? options.dataDir, !dryRun || scratch !== undefined),
  );
  try {
    const bar = process.stderr.isTTY ? progressBar : undefined;
    const summary = await importSylkServer(source, store, { dryRun, now: () => Date.now(), onProgress: bar });
    if (bar !== undefined) process.stderr.write('\n');
    const verb = dryRun ? 'would be imported' : 'imported';
    process.stdout.write(`${dryRun ? 'Dry run: nothing written. ' : ''}From ${source.description}:\n`);
    for (const kind of IMPORT_KINDS) {
      const { imported, present } = summary.counts[kind];
      process.stdout.write(`  ${kind}: ${String(imported)} ${verb}, ${String(present)} already there\n`);
    }
    if (options.fileTransfers !== undefined) {
      const to = join(resolve(options.dataDir), 'file_transfers');
      const files = await copyFileTransfers(resolve(options.fileTransfers), to, dryRun);
      process.stdout.write(
        `  uploaded files: ${String(files.imported)} ${dryRun ? 'would be copied' : 'copied'} to ${to}, ${String(files.present)} already there\n`,
      );
    }
    const problems = [...source.problems, ...summary.problems];
    for (const { where, problem } of problems.slice(0, MAX_LISTED_PROBLEMS)) {
      process.stderr.write(`missive import: not imported: ${where}: ${problem}\n`);
    }
    if (problems.length > MAX_LISTED_PROBLEMS) {
      process.stderr.write(
        `missive import: … and ${String(problems.length - MAX_LISTED_PROBLEMS)} more not imported\n`,
      );
    }
    return problems.length === 0 ? EXIT_OK : EXIT_FAILED;
  } finally {
    await source.close();
    await store.close();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

async function openSource(options: ImportCommandOptions): Promise<SylkServerSource> {
  if (options.storageDir !== undefined) {
    const source = await SylkServerFileSource.open(resolve(options.storageDir));
    if (typeof source === 'string') throw new UsageError(source);
    return source;
  }
  let location;
  try {
    location = parseCassandraUri(options.cassandra ?? '');
  } catch (error) {
    if (error instanceof StoreUriError) throw new UsageError(`--cassandra: ${error.message}`);
    throw error;
  }
  const session = await CassandraSession.connect(location, { timeoutMs: CASSANDRA_TIMEOUT_MS });
  const where = `SylkServer's Cassandra keyspace ${location.keyspace} on ${location.contactPoints.join(',')}`;
  return new SylkServerCassandraSource(session, location.keyspace, where, () => Date.now());
}

function progressBar({ journalsDone, journalsTotal, account }: ImportProgress): void {
  const width = 30;
  const filled = journalsTotal === 0 ? width : Math.round((journalsDone / journalsTotal) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(journalsDone)}/${String(journalsTotal)} journals ${account.slice(0, 40).padEnd(40)}`,
  );
}
