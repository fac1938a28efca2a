/**
 * `npm run bench:msrp:compare -- --baseline DIR [--rows w1,w32,setup,bulk] [--runs N] [--kamailio] [--shared]`:
 * this checkout's build against another build of missive (DIR is a copy of a checkout with its `dist/`
 * built), and optionally Kamailio, side by side in one process tree on plain TCP: the relays stay up and
 * the runs alternate between them, so that a change can be judged on a noisy machine by the medians.
 * The idle row (memory per idle session, 10,000 sessions) starts fresh relays for every run. `--shared` adds
 * this build with `share_next_hop_connections = yes` (one connection to B for all sessions); `--baseline`
 * may then be left out, to compare the two modes of this build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EndpointB } from './endpoint-b.js';
import { parseOptions } from './options.js';
import { startKamailio } from './relays/kamailio.js';
import { startMissive } from './relays/missive.js';
import { pinProcess } from './relays/proc.js';
import type { RunningRelay } from './relays/relay.js';
import {
  KiB,
  measureBulk,
  measureIdleSessions,
  measureSendRate,
  measureSetupRate,
  type Metrics,
} from './rows.js';
import { median } from './stats.js';

const ROWS = {
  w1: { metric: 'relay_cpu_us_per_send', rate: 'sends_per_s' },
  w32: { metric: 'relay_cpu_us_per_send', rate: 'sends_per_s' },
  setup: { metric: 'relay_cpu_us_per_setup', rate: 'setups_per_s' },
  bulk: { metric: 'relay_cpu_s_per_gb', rate: 'mb_per_s' },
  idle: { metric: 'bytes_per_session', rate: 'open_seconds' },
} as const;
type RowName = keyof typeof ROWS;

interface Args {
  readonly baseline: string | undefined;
  readonly kamailio: boolean;
  readonly shared: boolean;
  readonly rows: RowName[];
  readonly runs: number;
}

function parseCompareArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      baseline: { type: 'string' },
      kamailio: { type: 'boolean', default: false },
      shared: { type: 'boolean', default: false },
      rows: { type: 'string', default: 'w1,w32,setup' },
      runs: { type: 'string', default: '6' },
    },
  });
  const rows = values.rows.split(',') as RowName[];
  const unknown = rows.find((row) => !(row in ROWS));
  if (unknown !== undefined) throw new Error(`unknown row ${unknown}: one of ${Object.keys(ROWS).join(',')}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive integer');
  return { baseline: values.baseline, kamailio: values.kamailio, shared: values.shared, rows, runs };
}

async function main(): Promise<void> {
  const args = parseCompareArgs(process.argv.slice(2));
  pinProcess(process.pid, 0);
  const options = { ...parseOptions([]), rateMs: 2000, setupMs: 2000, bulkBytes: 50 * 1024 * KiB };
  const workDir = mkdtempSync(join(tmpdir(), 'missive-bench-compare-'));
  const launch = { transport: 'tcp' as const, keyFile: '', certFile: '', core: 1, fdLimit: 16_384 };
  const relays: [string, RunningRelay][] = [];
  const startRelays = async (): Promise<void> => {
    relays.push(['this build', await startMissive({ ...launch, workDir })]);
    if (args.shared) {
      const dir = mkdtempSync(join(workDir, 'shared-'));
      const missiveSettings = ['share_next_hop_connections = yes'];
      relays.push(['this build, shared', await startMissive({ ...launch, workDir: dir, missiveSettings })]);
    }
    if (args.baseline !== undefined) {
      const missiveMain = join(args.baseline, 'dist', 'src', 'cli', 'main.js');
      const dir = mkdtempSync(join(workDir, 'baseline-'));
      relays.push(['baseline', await startMissive({ ...launch, workDir: dir, missiveMain })]);
    }
    if (args.kamailio) relays.push(['kamailio', await startKamailio({ ...launch, workDir })]);
  };
  const stopRelays = async (): Promise<void> => {
    for (const [, relay] of relays.splice(0)) await relay.stop();
  };
  const b = await EndpointB.start('tcp', undefined);
  try {
    await startRelays();
    for (const row of args.rows) {
      const measure = async (relay: RunningRelay): Promise<Metrics> => {
        if (row === 'idle') return measureIdleSessions(relay, 'tcp', options, 10_000);
        if (row === 'setup') return measureSetupRate(relay, 'tcp', b, options, options.setupMs);
        if (row === 'bulk') return measureBulk(relay, 'tcp', b, options, 8 * KiB);
        return measureSendRate(relay, 'tcp', b, options, row === 'w1' ? 1 : 32, options.rateMs);
      };
      const samples = new Map<string, Metrics[]>(relays.map(([name]) => [name, []]));
      for (let run = row === 'idle' ? 0 : -1; run < args.runs; run++) {
        if (row === 'idle' && run > 0) {
          await stopRelays();
          await startRelays();
        }
        for (const [name, relay] of run % 2 === 0 ? relays : [...relays].reverse()) {
          const metrics = await measure(relay);
          if (run >= 0) samples.get(name)?.push(metrics);
        }
      }
      const { metric, rate } = ROWS[row];
      for (const [name, runs] of samples) {
        const cost = median(runs.map((m) => m[metric] ?? Number.NaN));
        const speed = median(runs.map((m) => m[rate] ?? Number.NaN));
        process.stdout.write(
          `${row}\t${name}\t${metric}=${cost.toPrecision(4)}\t${rate}=${speed.toPrecision(5)}\n`,
        );
      }
    }
  } finally {
    await stopRelays();
    await b.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
