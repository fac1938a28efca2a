/**
 * `npm run bench:stored -- --profile [--store sqlite|postgres] [--rate N] [--seconds S]`: missive alone under
 * `node --cpu-prof`, storing every MESSAGE as bench:stored has it do, one probe at a fixed rate well below
 * the limit (so that the profile is of the work per MESSAGE, not of a queue), then a summary of where its
 * CPU time went (bench/msrp/profile-summary.ts) and its CPU per MESSAGE, printed.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerWithSipp, sippSucceeded } from '../../test/interop/harness/sipp.js';
import { summariseProfile } from '../msrp/profile-summary.js';
import { probe } from '../sip/probe.js';
import { BENCH_USER } from '../sip/session.js';
import { KeptUas } from '../sip/uas.js';
import { freePort } from '../../test/support/ports.js';
import { type StoreKind } from '../ws/bench-store.js';
import { STORED_MESSAGE, storedMissiveTarget } from './targets.js';

export interface ProfileOptions {
  readonly store: StoreKind;
  readonly rate: number;
  readonly seconds: number;
}

export async function profileStored(options: ProfileOptions, log: (line: string) => void): Promise<string> {
  const workDir = mkdtempSync(join(tmpdir(), 'missive-stored-profile-'));
  const profileDir = join(workDir, 'profile');
  const target = storedMissiveTarget(options.store, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
  const proxy = await target.start({ workDir, cpus: '1' }, 'udp');
  const uasPort = await freePort();
  const registration = await registerWithSipp({
    registrar: proxy.address,
    user: BENCH_USER,
    transport: 'u1',
    contactPort: uasPort,
    cpus: '0',
  });
  if (!sippSucceeded(registration, 1)) throw new Error('REGISTER failed');
  const uas = new KeptUas(uasPort, 'u1', '0');
  await uas.start();
  const setup = {
    transport: 'udp' as const,
    destination: proxy.address,
    user: BENCH_USER,
    ...STORED_MESSAGE,
    seconds: options.seconds,
    proxyPids: () => proxy.pids(),
    generatorCpus: '0',
    generatorCore: 0,
    proxyCore: 1,
  };
  let summary: string[];
  try {
    await probe({ ...setup, seconds: 2 }, Math.min(options.rate, 200)); // warm-up: JIT, statements prepared
    const result = await probe(setup, options.rate);
    log(
      `${options.rate}/s for ${options.seconds} s: ${result.passed ? 'pass' : `FAIL (${result.reasons.join('; ')})`}, ` +
        `${result.successful} answered, proxy ${result.proxyCpuUs.toFixed(0)} µs CPU per MESSAGE`,
    );
    summary = [
      `missive (${options.store}) storing every MESSAGE, ${options.rate}/s for ${options.seconds} s: ` +
        `${result.proxyCpuUs.toFixed(0)} µs CPU per MESSAGE (warm-up included in the profile)`,
    ];
  } finally {
    await uas.stop();
    await proxy.stop();
    await target.store()?.drop();
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile in ${profileDir}`);
  summary.push('', ...summariseProfile(join(profileDir, file), 40));
  if (process.env.MISSIVE_KEEP_PROFILE !== '1') rmSync(workDir, { recursive: true, force: true });
  else log(`profile kept in ${profileDir}`);
  return summary.join('\n');
}
