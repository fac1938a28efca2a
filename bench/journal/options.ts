/** Command-line options of `npm run bench:journal`. */

export type Backend = 'sqlite' | 'postgres' | 'cassandra';
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres', 'cassandra'];

export interface Options {
  readonly quick: boolean;
  /** Measured runs per row (after one warm-up). */
  readonly runs: number;
  /** Entries of the big account (the "1,000,000 entries" of the issue). */
  readonly entries: number;
  /** Appends per run of each append row. */
  readonly appends: number;
  readonly backends: readonly Backend[];
  /** Whether to write the section of BENCHMARKS.md (full runs only, unless --write). */
  readonly write: boolean;
  readonly postgresUri: string;
  /** host:port of the Cassandra node. */
  readonly cassandraHost: string;
}

export const USAGE = `Usage: npm run bench:journal -- [--quick] [--runs N] [--entries N] [--appends N] [--backend sqlite|postgres|cassandra] [--write|--no-write]
  --quick          a smoke check: 100,000 entries, 3 runs, 300 appends per run (about 1 minute); prints, does not write
  --runs N         measured runs per row (default 5; quick 3)
  --entries N      entries of the big account (default 1,000,000; quick 100,000)
  --appends N      appends per run of each append row (default 2,000; quick 300)
  --backend NAME   only this backend (repeatable); default all three
  --write          write the journal section of BENCHMARKS.md even for a quick or partial run
  --no-write       print only
PostgreSQL: MISSIVE_BENCH_POSTGRES_URI (default postgresql://postgres@127.0.0.1:5432/test); a schema of its
own is created and dropped. Cassandra: MISSIVE_BENCH_CASSANDRA_HOST (default 127.0.0.1:9042); a keyspace of
its own is created and dropped.`;

export function parseOptions(argv: readonly string[]): Options {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (['--quick', '--write', '--no-write', '--help'].includes(arg)) flags.add(arg);
    else if (['--runs', '--entries', '--appends', '--backend'].includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      values.set(arg, [...(values.get(arg) ?? []), value]);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (flags.has('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = flags.has('--quick');
  const positive = (name: string, fallback: number): number => {
    const text = values.get(name)?.at(-1);
    if (text === undefined) return fallback;
    const n = Number(text.replaceAll('_', '').replaceAll(',', ''));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
    return n;
  };
  const backends = (values.get('--backend') ?? BACKENDS).map((name) => {
    const known = BACKENDS.find((backend) => backend === name);
    if (known === undefined) throw new Error(`unknown backend ${name}\n${USAGE}`);
    return known;
  });
  const full = !quick && !values.has('--entries') && new Set(backends).size === BACKENDS.length;
  return {
    quick,
    runs: positive('--runs', quick ? 3 : 5),
    entries: positive('--entries', quick ? 100_000 : 1_000_000),
    appends: positive('--appends', quick ? 300 : 2000),
    backends: [...new Set(backends)],
    write: flags.has('--write') || (full && !flags.has('--no-write')),
    postgresUri: process.env.MISSIVE_BENCH_POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test',
    cassandraHost: process.env.MISSIVE_BENCH_CASSANDRA_HOST ?? '127.0.0.1:9042',
  };
}
