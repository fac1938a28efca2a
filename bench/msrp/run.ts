/**
 * `npm run bench:msrp`: Kamailio's msrp module and `missive relay` side by side on loopback, plain TCP
 * then TLS; writes raw CSV to bench/results/ and the MSRP section of BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.js';
import { fdLimits, loadAverage, machineInfo } from './machine.js';
import type { TlsMaterial } from './net.js';
import { parseOptions } from './options.js';
import { runProfile } from './profile.js';
import { KAMAILIO_INSTALL_HINT, kamailioProblem, kamailioVersion } from './relays/kamailio.js';
import { MISSIVE_MAIN, REPO_ROOT } from './relays/missive.js';
import { pinProcess } from './relays/proc.js';
import type { RelayLaunch } from './relays/relay.js';
import { renderSection } from './report.js';
import { writeBenchmarkSection } from '../benchmarks-section.js';
import { Results } from './results.js';
import { log, running, runTable } from './table.js';

const GENERATOR_CORE = 0;
const RELAY_CORE = 1;

/** Re-executes this process under a raised soft fd limit when it is below what the sessions need. */
function ensureFdLimit(needed: number): void {
  const { soft, hard } = fdLimits();
  if (soft >= needed || soft >= hard || process.env.MSRP_BENCH_FD_RAISED === '1') return;
  const limit = Math.min(hard, needed);
  log(`raising the open-files limit from ${soft} to ${limit}`);
  const args = [
    '-c',
    `ulimit -n ${limit} && exec "$@"`,
    'sh',
    process.execPath,
    ...process.execArgv,
    ...process.argv.slice(1),
  ];
  const result = spawnSync('/bin/sh', args, {
    stdio: 'inherit',
    env: { ...process.env, MSRP_BENCH_FD_RAISED: '1' },
  });
  process.exit(result.status ?? 1);
}

function build(): void {
  log('npm run build');
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status === 0) return;
  if (!existsSync(MISSIVE_MAIN)) throw new Error('npm run build failed and dist/ has no relay');
  log(
    `warning: npm run build exited ${result.status ?? 'abnormally'}; benchmarking the JavaScript it emitted anyway`,
  );
}

/** ECDSA P-256 for both relays and for B, so that neither side pays for a bigger key than the other. */
async function makeTls(dir: string): Promise<{ material: TlsMaterial; keyFile: string; certFile: string }> {
  const { files, pems } = await writeSelfSignedCertificate(dir, 'bench', {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    days: 7,
    keyType: 'ec',
  });
  return {
    material: { key: Buffer.from(pems.key), cert: Buffer.from(pems.cert) },
    keyFile: files.key,
    certFile: files.certificate,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  ensureFdLimit(options.idleSessions + 1000);
  const problem = kamailioProblem();
  if (problem !== undefined) {
    process.stderr.write(`${problem}\nInstall it with:\n  ${KAMAILIO_INSTALL_HINT}\n`);
    process.exitCode = 2;
    return;
  }
  build();
  if (!pinProcess(process.pid, GENERATOR_CORE))
    log('warning: could not pin the generator (taskset missing?)');
  const workDir = mkdtempSync(join(tmpdir(), 'missive-bench-msrp-'));
  const tls = await makeTls(workDir);
  const fd = fdLimits();
  const sessions = Math.min(options.idleSessions, fd.soft - 500);
  const sessionsNote =
    sessions < options.idleSessions
      ? `Only ${sessions.toLocaleString('en-US')} sessions: the open-files limit here is ${fd.soft} (hard ${fd.hard}) and every session holds one socket in the generator and one in the relay.`
      : undefined;
  const stopAll = (): void => {
    for (const relay of running) void relay.stop();
  };
  process.on('exit', () => {
    // Last resort (an uncaught error): never leave a relay running. Kamailio's main process stops its workers.
    for (const relay of running) {
      try {
        process.kill(relay.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
  process.once('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    stopAll();
    process.exit(143);
  });
  if (options.profile) {
    await runProfile({ workDir, keyFile: tls.keyFile, certFile: tls.certFile, fdLimit: fd.soft, options });
    rmSync(workDir, { recursive: true, force: true });
    return;
  }

  const startedAt = new Date();
  const loadStart = loadAverage();
  const results = new Results();
  log(`work dir ${workDir}; ${options.quick ? 'quick' : 'full'} run; ${options.runs} runs per row`);
  try {
    for (const transport of options.transports) {
      const launch: RelayLaunch = {
        transport,
        workDir,
        keyFile: tls.keyFile,
        certFile: tls.certFile,
        core: RELAY_CORE,
        fdLimit: fd.soft,
      };
      await runTable({ options, results, transport, launch, tls: tls.material, sessions });
    }
  } finally {
    for (const relay of running) await relay.stop();
  }
  const stamp = startedAt.toISOString().replaceAll(':', '-').slice(0, 19);
  const csvFile = join('bench', 'results', `msrp-${stamp}${options.quick ? '-quick' : ''}.csv`);
  results.writeCsv(join(REPO_ROOT, csvFile));
  const argv = process.argv.slice(2);
  const section = renderSection({
    results,
    options,
    machine: machineInfo(kamailioVersion()),
    command: `npm run bench:msrp${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    csvFile,
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    loadStart,
    loadEnd: loadAverage(),
    sessions,
    sessionsNote,
  });
  writeBenchmarkSection(join(REPO_ROOT, 'BENCHMARKS.md'), section);
  if (results.failures.length === 0) rmSync(workDir, { recursive: true, force: true });
  else log(`relay logs and configs kept in ${workDir}`);
  log(
    `wrote BENCHMARKS.md and ${csvFile}${results.failures.length > 0 ? ` (${results.failures.length} failures)` : ''}`,
  );
  process.stdout.write(`${section}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:msrp failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  for (const relay of running) void relay.stop();
  process.exitCode = 1;
});
