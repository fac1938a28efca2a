/**
 * `npm run bench:sip`: the highest MESSAGE rate a SIP proxy relays without failure, sipp → proxy → sipp on
 * loopback, over UDP then TCP, for each target (Kamailio, missive when its SIP server exists, the
 * generator alone); writes raw CSV to bench/results/ and the SIP section of BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kamailioVersion } from '../../test/interop/harness/kamailio.js';
import { REPO_ROOT } from '../../test/interop/harness/paths.js';
import { missingPeers, TOOL_PATHS } from '../../test/interop/harness/tools.js';
import { loadAverage, machineInfo } from '../msrp/machine.js';
import { pinProcess } from '../msrp/relays/proc.js';
import { parseOptions, type SipBenchOptions, type SipTransport } from './options.js';
import { renderSection } from './report.js';
import { writeBenchmarkSection } from '../benchmarks-section.js';
import { SipResults } from './results.js';
import { type Cores, HINT_SHARE, runSession } from './session.js';
import { allTargets, REFERENCE_TARGET } from './targets/index.js';
import type { RunningTarget, SipTarget } from './targets/target.js';

const CORES: Cores = { generator: 0, proxy: 1 };

function log(line: string): void {
  process.stderr.write(`[bench:sip ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** `sipp -v` prints its version and exits 99. */
function sippVersion(): string {
  const result = spawnSync(TOOL_PATHS.sipp, ['-v'], { encoding: 'utf8' });
  const version = /SIPp v([\d.]+)/.exec(`${result.stdout}${result.stderr}`)?.[1];
  return version === undefined ? 'sipp' : `sipp ${version}`;
}

function selectTargets(options: SipBenchOptions): SipTarget[] {
  const all = allTargets(options.extraTargets);
  if (options.targets === undefined) return all;
  const unknown = options.targets.filter((name) => !all.some((t) => t.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown target ${unknown.join(', ')} (known: ${all.map((t) => t.name).join(', ')})`);
  }
  return all.filter((t) => options.targets?.includes(t.name));
}

async function benchTransport(
  transport: SipTransport,
  targets: readonly SipTarget[],
  options: SipBenchOptions,
  results: SipResults,
  workDir: string,
  running: Map<string, RunningTarget>,
): Promise<void> {
  for (const target of targets.filter((t) => t.kind === 'proxy')) {
    try {
      const dir = mkdtempSync(join(workDir, `${target.name}-${transport}-`));
      running.set(target.name, await target.start({ workDir: dir, cpus: String(CORES.proxy) }, transport));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.failures.push({ transport, target: target.name, run: 0, message: `did not start: ${message}` });
      log(`${target.name} did not start: ${message}`);
    }
  }
  const hints = new Map<string, number>();
  try {
    for (let run = 0; run < options.runs; run++) {
      const order = run % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const proxy = running.get(target.name);
        if (target.kind === 'proxy' && proxy === undefined) continue;
        const hint = hints.get(target.name);
        const start =
          hint === undefined
            ? { rate: options.startRate, hinted: false }
            : { rate: hint * HINT_SHARE, hinted: true };
        log(
          `[${transport}] run ${run + 1}/${options.runs}: ${target.name}, searching from ${Math.round(start.rate)}/s`,
        );
        try {
          const session = await runSession(proxy, transport, options, CORES, start, log);
          results.add({ transport, target: target.name, run, session });
          if (session.best !== undefined) hints.set(target.name, session.best.rate);
          log(`[${transport}] ${target.name}: highest passing rate ${session.best?.rate ?? 0}/s`);
          for (const death of session.uas.deaths) {
            results.notes.push(
              `${transport} ${target.name} run ${run + 1}: the sipp UAS exited during a probe (${death}); it was restarted and the probe repeated.`,
            );
          }
          // The baseline's UAS shares the UAC's TCP connection: calls open when it closes count as failed.
          if (session.uas.failed > 0 && target.kind === 'proxy') {
            results.notes.push(
              `${transport} ${target.name} run ${run + 1}: the UAS counted ${session.uas.failed} failed calls.`,
            );
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          results.failures.push({ transport, target: target.name, run, message });
          log(`[${transport}] ${target.name} run ${run + 1} failed: ${message}`);
        }
      }
    }
  } finally {
    for (const [name, proxy] of running) {
      await proxy.stop();
      running.delete(name);
    }
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const missing = missingPeers(['sipp']);
  if (missing !== undefined) {
    process.stderr.write(`bench:sip needs sipp: ${missing}\n`);
    process.exitCode = 2;
    return;
  }
  const targets = selectTargets(options);
  const results = new SipResults();
  const runnable = targets.filter((target) => {
    const problem = target.problem();
    if (problem !== undefined) {
      results.skipped.push({ target: target.name, reason: problem });
      log(`skipping ${target.name}: ${problem}`);
    }
    return problem === undefined;
  });
  if (!pinProcess(process.pid, CORES.generator))
    log('warning: could not pin the benchmark (taskset missing?)');
  const running = new Map<string, RunningTarget>();
  const stopAll = (code: number): void => {
    // Child processes are killed by their exit hooks; exit() runs them.
    log(`interrupted; stopping ${running.size} target(s)`);
    process.exit(code);
  };
  process.once('SIGINT', () => {
    stopAll(130);
  });
  process.once('SIGTERM', () => {
    stopAll(143);
  });

  const workDir = mkdtempSync(join(tmpdir(), 'missive-bench-sip-'));
  const startedAt = new Date();
  const loadStart = loadAverage();
  log(
    `work dir ${workDir}; ${options.quick ? 'quick' : 'full'} run; ${options.runs} search(es) per target and transport`,
  );
  for (const transport of options.transports) {
    await benchTransport(transport, runnable, options, results, workDir, running);
  }
  const stamp = startedAt.toISOString().replaceAll(':', '-').slice(0, 19);
  const csvFile = join('bench', 'results', `sip-${stamp}${options.quick ? '-quick' : ''}.csv`);
  results.writeCsv(join(REPO_ROOT, csvFile));
  const argv = process.argv.slice(2);
  const section = renderSection({
    results,
    options,
    targets,
    reference: REFERENCE_TARGET,
    machine: machineInfo(kamailioVersion()),
    sippVersion: sippVersion(),
    command: `npm run bench:sip${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    csvFile,
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    loadStart,
    loadEnd: loadAverage(),
    generatorCore: CORES.generator,
    proxyCore: CORES.proxy,
  });
  writeBenchmarkSection(join(REPO_ROOT, 'BENCHMARKS.md'), section);
  if (results.failures.length === 0 && process.env.MISSIVE_INTEROP_KEEP_FILES !== '1') {
    rmSync(workDir, { recursive: true, force: true });
  } else log(`proxy logs and configs kept in ${workDir}`);
  log(`wrote BENCHMARKS.md and ${csvFile}`);
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:sip failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
