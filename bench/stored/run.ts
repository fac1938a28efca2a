/**
 * `npm run bench:stored`: stored MESSAGEs per second (issue 18's new row). sipp sends MESSAGEs over UDP
 * from one subscriber to another, registered, through missive with storage on: each 200 is sent only after
 * both journal entries are durable. The same rate search as bench:sip (bench/sip/session.ts), side by side
 * with Kamailio forwarding only, on SQLite and PostgreSQL; the disk's fsync rate is measured in the same
 * run (before and after, on the file system of both stores). Writes the "Stored MESSAGEs" section of
 * BENCHMARKS.md and prints it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/interop/harness/paths.js';
import { missingPeers } from '../../test/interop/harness/tools.js';
import { loadAverage } from '../msrp/machine.js';
import { pinProcess } from '../msrp/relays/proc.js';
import { median } from '../msrp/stats.js';
import type { SipBenchOptions } from '../sip/options.js';
import { type Cores, HINT_SHARE, runSession, type SessionResult } from '../sip/session.js';
import { kamailioTarget } from '../sip/targets/kamailio.js';
import type { RunningTarget, SipTarget } from '../sip/targets/target.js';
import { fsyncRate } from '../ws/bench-store.js';
import { measureCommits } from './commits.js';
import { profileStored } from './profile.js';
import { renderStoredSection, type TargetRuns } from './report.js';
import { writeBenchmarkSection } from '../benchmarks-section.js';
import { STORED_MESSAGE, type StoredTarget, storedMissiveTarget } from './targets.js';

const CORES: Cores = { generator: 0, proxy: 1 };

function log(line: string): void {
  process.stderr.write(`[bench:stored ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const USAGE = `Usage: npm run bench:stored -- [--quick] [--runs N] [--targets kamailio,missive-sqlite,missive-postgres]
       npm run bench:stored -- --commits [ROUNDS]
       npm run bench:stored -- --profile [--store sqlite|postgres] [--rate N] [--seconds S]`;

function parse(argv: readonly string[]): { options: SipBenchOptions; targets: string[] | undefined } {
  let quick = false;
  let runs: number | undefined;
  let targets: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--runs') runs = Number(argv[++i]);
    else if (arg === '--targets') targets = (argv[++i] ?? '').split(',').filter((name) => name !== '');
    else throw new Error(`unknown option ${String(arg)}\n${USAGE}`);
  }
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs N\n${USAGE}`);
  return {
    targets,
    options: {
      quick,
      runs: runs ?? (quick ? 1 : 3),
      transports: ['udp'],
      probeSeconds: quick ? 2 : 3,
      precision: quick ? 0.15 : 0.05,
      maxProbes: quick ? 7 : 12,
      startRate: 1000,
      maxRate: 50_000,
      targets: undefined,
      extraTargets: [],
    },
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--commits') {
    process.stdout.write(`${await measureCommits(Number(argv[1] ?? 3))}\n`);
    return;
  }
  if (argv[0] === '--profile') {
    const value = (name: string): string | undefined => argv[argv.indexOf(name) + 1];
    const store = value('--store') === 'postgres' ? 'postgres' : 'sqlite';
    const rate = Number(value('--rate') ?? 300);
    const seconds = Number(value('--seconds') ?? 10);
    process.stdout.write(`${await profileStored({ store, rate, seconds }, log)}\n`);
    return;
  }
  const { options, targets: names } = parse(argv);
  const missing = missingPeers(['sipp', 'kamailio']);
  if (missing !== undefined) throw new Error(`bench:stored needs sipp and kamailio: ${missing}`);
  const all: SipTarget[] = [kamailioTarget, storedMissiveTarget('sqlite'), storedMissiveTarget('postgres')];
  const targets = names === undefined ? all : all.filter((target) => names.includes(target.name));
  if (!pinProcess(process.pid, CORES.generator)) log('warning: could not pin the benchmark');
  const workDir = mkdtempSync(join(tmpdir(), 'missive-bench-stored-'));
  const startedAt = new Date();
  const loadStart = loadAverage();
  const fsyncBefore = fsyncRate(workDir);
  log(`work dir ${workDir}; the disk does ${fsyncBefore.toFixed(0)} fsyncs/s`);
  const runs = new Map<string, TargetRuns>(
    targets.map((target) => [target.name, { sessions: [], failures: [], entries: undefined }]),
  );
  const running = new Map<string, RunningTarget>();
  const hints = new Map<string, number>();
  try {
    for (const target of targets) {
      running.set(
        target.name,
        await target.start(
          { workDir: mkdtempSync(join(workDir, `${target.name}-`)), cpus: String(CORES.proxy) },
          'udp',
        ),
      );
    }
    for (let run = 0; run < options.runs; run++) {
      for (const target of run % 2 === 0 ? targets : [...targets].reverse()) {
        const proxy = running.get(target.name);
        const record = runs.get(target.name);
        if (proxy === undefined || record === undefined) continue;
        const hint = hints.get(target.name);
        const start =
          hint === undefined
            ? { rate: options.startRate, hinted: false }
            : { rate: hint * HINT_SHARE, hinted: true };
        log(`run ${run + 1}/${options.runs}: ${target.name} from ${Math.round(start.rate)}/s`);
        try {
          const session: SessionResult = await runSession(
            proxy,
            'udp',
            options,
            CORES,
            start,
            log,
            STORED_MESSAGE,
          );
          record.sessions.push(session);
          if (session.best !== undefined) hints.set(target.name, session.best.rate);
          log(`${target.name}: highest passing rate ${session.best?.rate ?? 0}/s`);
        } catch (error) {
          record.failures.push(error instanceof Error ? error.message : String(error));
          log(`${target.name} run ${run + 1} failed: ${String(error)}`);
        }
      }
    }
    for (const target of targets) {
      const store = (target as Partial<StoredTarget>).store?.();
      const record = runs.get(target.name);
      if (store === undefined || record === undefined) continue;
      record.entries = await store.journalEntries();
      record.storeDescription = await store.describe();
    }
  } finally {
    for (const proxy of running.values()) await proxy.stop();
    for (const target of targets) await (target as Partial<StoredTarget>).store?.()?.drop();
  }
  const fsyncAfter = fsyncRate(workDir);
  rmSync(workDir, { recursive: true, force: true });
  const section = renderStoredSection({
    runs,
    targets: targets.map((target) => target.name),
    options,
    command: `npm run bench:stored${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    loadStart,
    loadEnd: loadAverage(),
    fsyncs: [fsyncBefore, fsyncAfter],
    kamailio: spawnSync('kamailio', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'kamailio',
  });
  writeBenchmarkSection(join(REPO_ROOT, 'BENCHMARKS.md'), section);
  log(`wrote BENCHMARKS.md (median fsync rate ${median([fsyncBefore, fsyncAfter]).toFixed(0)}/s)`);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:stored failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
