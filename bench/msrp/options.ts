/** Command-line options of `npm run bench:msrp -- [options]`. */
import type { Transport } from './net.js';

export interface BenchOptions {
  readonly quick: boolean;
  /** Measured runs per row (after `warmups` discarded runs). */
  readonly runs: number;
  readonly warmups: number;
  /** Measured runs of the side-by-side 8 KiB bulk row: a transfer lasts under a second, so more of them. */
  readonly bulkRuns: number;
  /** Runs of the idle-session row (each with fresh relays). */
  readonly idleRuns: number;
  readonly rateMs: number;
  readonly setupMs: number;
  readonly bulkBytes: number;
  readonly bulkWindowBytes: number;
  readonly setupParallel: number;
  readonly idleSessions: number;
  readonly idleParallel: number;
  readonly transports: readonly Transport[];
  /** Profile missive (node --cpu-prof) on the rows instead of benchmarking. */
  readonly profile: boolean;
}

export const USAGE = `Usage: npm run bench:msrp -- [--quick] [--runs N] [--transport tcp|tls] [--sessions N] [--profile]
  --quick          a smoke check: short rows, one measured run each (about 2 minutes)
  --runs N         measured runs per row after one warm-up (default 5; idle-session row: 3)
  --transport T    only the tcp or the tls table
  --sessions N     idle sessions for the memory row (default 10000, capped by the fd limit)
  --profile        run missive alone under node --cpu-prof and print where its time goes`;

const MiB = 1024 * 1024;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--runs' || arg === '--transport' || arg === '--sessions') {
      values.set(arg, argv[++i] ?? '');
    } else if (arg === '--quick' || arg === '--profile' || arg === '--help') {
      flags.add(arg);
    } else {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (flags.has('--help')) throw new Error(USAGE);
  const quick = flags.has('--quick');
  const positive = (name: string, fallback: number): number => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer\n${USAGE}`);
    return n;
  };
  const transport = values.get('--transport');
  if (transport !== undefined && transport !== 'tcp' && transport !== 'tls') {
    throw new Error(`--transport is tcp or tls\n${USAGE}`);
  }
  const runs = positive('--runs', quick ? 1 : 5);
  return {
    quick,
    runs,
    warmups: 1,
    bulkRuns: runs * 3,
    idleRuns: values.has('--runs') ? runs : quick ? 1 : 3,
    rateMs: quick ? 1000 : 3000,
    setupMs: quick ? 1000 : 3000,
    bulkBytes: (quick ? 20 : 100) * MiB,
    bulkWindowBytes: 4 * MiB,
    setupParallel: 32,
    idleSessions: positive('--sessions', quick ? 1000 : 10_000),
    idleParallel: 64,
    transports: transport === undefined ? ['tcp', 'tls'] : [transport],
    profile: flags.has('--profile'),
  };
}
