/**
 * The store a `npm run bench:ws` server uses: SQLite in the run's data directory (the default, as the issue
 * asks), or a PostgreSQL schema of the run's own in the local database (dropped at the end), to show what
 * group commit changes. Makes the benchmark's subscribers through the store's subscriber API, counts journal
 * rows (every message must be journaled for both sides), and measures how many fsyncs a second the data
 * directory's disk does, which bounds SQLite's commits (synchronous = FULL).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { benchSubscriber } from './client.js';

export type StoreKind = 'sqlite' | 'postgres';

const POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';

export class BenchStore {
  readonly kind: StoreKind;
  /** The URI `missive serve --store` gets. */
  readonly uri: string;
  readonly #dataDir: string;
  readonly #schema: string;

  constructor(kind: StoreKind, dataDir: string) {
    this.kind = kind;
    this.#dataDir = dataDir;
    this.#schema = `missive_bench_ws_${String(process.pid)}_${randomBytes(3).toString('hex')}`;
    this.uri =
      kind === 'sqlite' ? `sqlite://${join(dataDir, 'missive.db')}` : `${POSTGRES}?schema=${this.#schema}`;
  }

  /** Adds subscribers `from` up to `to` (exclusive); PostgreSQL takes 32 at a time, SQLite one by one. */
  async addSubscribers(domain: string, from: number, to: number): Promise<void> {
    const store = await openStore(this.uri);
    const inFlight = this.kind === 'postgres' ? 32 : 1;
    try {
      for (let first = from; first < to; first += inFlight) {
        const batch = [];
        for (let i = first; i < Math.min(to, first + inFlight); i++) {
          const { account, password } = benchSubscriber(i, domain);
          batch.push(store.subscribers.add(account.slice(0, account.indexOf('@')), domain, password));
        }
        await Promise.all(batch);
      }
    } finally {
      await store.close();
    }
  }

  async journalEntries(): Promise<number> {
    if (this.kind === 'sqlite') {
      const db = new Database(join(this.#dataDir, 'missive.db'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM missive_journal').get() as { n: number }).n;
      } finally {
        db.close();
      }
    }
    return this.#query(async (client) => {
      const result = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${this.#schema}".missive_journal`,
      );
      return Number(result.rows[0]?.n ?? 0);
    });
  }

  /** PostgreSQL: the server's version and commit settings; SQLite: its mode. */
  async describe(): Promise<string> {
    if (this.kind === 'sqlite') return 'SQLite (WAL, synchronous = FULL: an fsync at every commit)';
    return this.#query(async (client) => {
      const setting = async (name: string): Promise<string> =>
        String((await client.query<{ v: string }>(`SELECT current_setting('${name}') AS v`)).rows[0]?.v);
      const version = (await setting('server_version')).split(' ')[0] ?? '?';
      return `PostgreSQL ${version} on 127.0.0.1 (synchronous_commit = ${await setting('synchronous_commit')}, commit_delay = ${await setting('commit_delay')})`;
    });
  }

  async drop(): Promise<void> {
    if (this.kind === 'postgres') {
      await this.#query((client) => client.query(`DROP SCHEMA IF EXISTS "${this.#schema}" CASCADE`));
    }
  }

  async #query<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: POSTGRES });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

/** 4 KiB writes each followed by fsync in `dir` for `seconds`: fsyncs per second. */
export function fsyncRate(dir: string, seconds = 2): number {
  const file = join(dir, 'fsync-probe.bin');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 120);
  let count = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < seconds * 1000) {
      writeSync(fd, block);
      fsyncSync(fd);
      count++;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return count / ((performance.now() - start) / 1000);
}
