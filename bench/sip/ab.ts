/**
 * CPU per MESSAGE of two (or more) builds of missive side by side, for a before/after figure on a machine
 * that others load: each build runs `missive serve` from its own checkout, pinned to the proxy core, with its
 * own registered sipp UAS; probes at one fixed rate alternate between the builds, and the figure is each
 * build's median proxy CPU (utime+stime) per MESSAGE. A fixed rate well below either build's limit keeps the
 * work per MESSAGE comparable; alternating spreads the other jobs' load over both builds alike.
 *
 *   node --import tsx bench/sip/ab.ts [--rounds 8] [--rate 1000] [--seconds 4] [--transport udp]
 *     [--profile DIR] name=dir …
 *
 * --profile: each build runs under `node --cpu-prof`, its profile written to DIR when it stops.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeWorkDir } from '../../test/interop/harness/paths.js';
import { describeSipp, registerWithSipp, sippSucceeded } from '../../test/interop/harness/sipp.js';
import { freePort } from '../../test/support/ports.js';
import type { SipTransport } from './options.js';
import { probe, sippTransport } from './probe.js';
import { startCommandTarget } from './targets/command.js';
import { missiveServeArgv } from './targets/missive.js';
import type { RunningTarget } from './targets/target.js';
import { KeptUas } from './uas.js';

const GENERATOR_CORE = 0;
const PROXY_CORE = 1;

interface Build {
  readonly name: string;
  readonly dir: string;
}

interface Running {
  readonly build: Build;
  readonly target: RunningTarget;
  readonly uas: KeptUas;
  readonly workDir: string;
  readonly cpuUs: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function parse(argv: readonly string[]): {
  builds: Build[];
  rounds: number;
  rate: number;
  seconds: number;
  transport: SipTransport;
  profileDir: string | undefined;
} {
  const builds: Build[] = [];
  let rounds = 8;
  let rate = 1000;
  let seconds = 4;
  let transport: SipTransport = 'udp';
  let profileDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = (): string => argv[++i] ?? '';
    if (arg === '--rounds') rounds = Number(next());
    else if (arg === '--rate') rate = Number(next());
    else if (arg === '--seconds') seconds = Number(next());
    else if (arg === '--transport') transport = next() === 'tcp' ? 'tcp' : 'udp';
    else if (arg === '--profile') profileDir = next();
    else {
      const eq = arg.indexOf('=');
      if (eq < 1) throw new Error(`expected name=dir, got ${JSON.stringify(arg)}`);
      builds.push({ name: arg.slice(0, eq), dir: arg.slice(eq + 1) });
    }
  }
  if (builds.length === 0) throw new Error('usage: ab.ts [--rounds N] [--rate R] [--seconds S] name=dir …');
  return { builds, rounds, rate, seconds, transport, profileDir };
}

async function start(
  build: Build,
  transport: SipTransport,
  profileDir: string | undefined,
): Promise<Running> {
  const workDir = mkdtempSync(join(tmpdir(), `sip-ab-${build.name}-`));
  const argv = (port: number, dir: string): readonly string[] => {
    const [node = process.execPath, ...rest] = missiveServeArgv(port, dir);
    return profileDir === undefined
      ? [node, ...rest]
      : [node, '--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...rest];
  };
  const target = await startCommandTarget(
    { name: build.name, argv, cwd: build.dir },
    { workDir, cpus: String(PROXY_CORE) },
  );
  const uasPort = await freePort();
  const registration = await registerWithSipp({
    registrar: target.address,
    user: 'bench',
    transport: sippTransport(transport),
    contactPort: uasPort,
    cpus: String(GENERATOR_CORE),
  });
  if (!sippSucceeded(registration, 1)) throw new Error(`REGISTER failed: ${describeSipp(registration)}`);
  const uas = new KeptUas(uasPort, sippTransport(transport), String(GENERATOR_CORE));
  await uas.start();
  return { build, target, uas, workDir, cpuUs: [] };
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const running: Running[] = [];
  try {
    for (const build of options.builds)
      running.push(await start(build, options.transport, options.profileDir));
    const setupOf = (r: Running, seconds: number) => ({
      transport: options.transport,
      destination: r.target.address,
      user: 'bench',
      seconds,
      proxyPids: () => r.target.pids(),
      generatorCpus: String(GENERATOR_CORE),
      generatorCore: GENERATOR_CORE,
      proxyCore: PROXY_CORE,
    });
    // Warm-up: the JIT compiles the hot path before anything is counted.
    for (const r of running) await probe(setupOf(r, 3), options.rate);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? running : [...running].reverse();
      for (const r of order) {
        const result = await probe(setupOf(r, options.seconds), options.rate);
        if (!result.passed) console.log(`  ${r.build.name}: probe failed: ${result.reasons.join('; ')}`);
        else r.cpuUs.push(result.proxyCpuUs);
        console.log(`round ${round + 1} ${r.build.name}: ${result.proxyCpuUs.toFixed(1)} µs/MESSAGE`);
      }
    }
    for (const r of running) {
      const sorted = [...r.cpuUs].sort((a, b) => a - b);
      console.log(
        `${r.build.name}: median ${median(sorted).toFixed(1)} µs/MESSAGE over ${sorted.length} probes ` +
          `(${(sorted[0] ?? Number.NaN).toFixed(1)}–${(sorted.at(-1) ?? Number.NaN).toFixed(1)})`,
      );
    }
  } finally {
    for (const r of running) {
      await r.uas.stop();
      await r.target.stop();
      removeWorkDir(r.workDir);
    }
  }
}

await main();
