/**
 * `--profile`: missive alone under `node --cpu-prof`, one fresh relay per row (a warm-up run, then the
 * measured run), and a summary of where its CPU time went, to bench/results/msrp-profile-*.md.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EndpointB } from './endpoint-b.js';
import { readFileSync } from 'node:fs';
import type { BenchOptions } from './options.js';
import { summariseProfile } from './profile-summary.js';
import { REPO_ROOT, startMissive } from './relays/missive.js';
import { KiB, measureBulk, measureSendRate, measureSetupRate, type Metrics } from './rows.js';
import type { RunningRelay } from './relays/relay.js';

export interface ProfileInput {
  readonly workDir: string;
  readonly keyFile: string;
  readonly certFile: string;
  readonly fdLimit: number;
  readonly options: BenchOptions;
}

type Row = readonly [name: string, run: (relay: RunningRelay, b: EndpointB) => Promise<Metrics>];

export async function runProfile(input: ProfileInput): Promise<void> {
  const { options } = input;
  const out: string[] = ['# missive relay CPU profiles (`npm run bench:msrp -- --profile`)', ''];
  const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
  const profileDir = join(REPO_ROOT, 'bench', 'results', `msrp-profile-${stamp}`);
  mkdirSync(profileDir, { recursive: true });
  for (const transport of options.transports) {
    const tls = { key: readFileSync(input.keyFile), cert: readFileSync(input.certFile) };
    const b = await EndpointB.start(transport, transport === 'tls' ? tls : undefined);
    const rows: Row[] = [
      [
        'send-rate-2k-w1',
        (relay, endpoint) => measureSendRate(relay, transport, endpoint, options, 1, options.rateMs),
      ],
      [
        'send-rate-2k-w32',
        (relay, endpoint) => measureSendRate(relay, transport, endpoint, options, 32, options.rateMs),
      ],
      ['bulk-8k', (relay, endpoint) => measureBulk(relay, transport, endpoint, options, 8 * KiB)],
      [
        'session-setup',
        (relay, endpoint) => measureSetupRate(relay, transport, endpoint, options, options.setupMs),
      ],
    ];
    try {
      for (const [name, run] of rows) {
        const file = `${transport}-${name}.cpuprofile`;
        const relay = await startMissive({
          transport,
          workDir: input.workDir,
          keyFile: input.keyFile,
          certFile: input.certFile,
          core: 1,
          fdLimit: input.fdLimit,
          nodeOptions: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', file],
        });
        let metrics: Metrics | undefined;
        try {
          await run(relay, b); // warm-up
          metrics = await run(relay, b);
        } finally {
          await relay.stop();
        }
        process.stderr.write(`[bench:msrp] profiled ${transport} ${name}\n`);
        const shown = Object.entries(metrics)
          .filter(([, v]) => Number.isFinite(v))
          .map(([k, v]) => `${k}=${v >= 100 ? Math.round(v) : v.toPrecision(3)}`)
          .join(', ');
        out.push(
          `## ${transport} ${name}`,
          '',
          `Profiled run (warm-up + measured run in one profile): ${shown}`,
          '',
        );
        if (readdirSync(profileDir).includes(file))
          out.push(...summariseProfile(join(profileDir, file), 25), '');
        else out.push('(no profile written: did the relay exit cleanly on SIGTERM?)', '');
      }
    } finally {
      await b.close();
    }
  }
  const report = join(profileDir, 'summary.md');
  writeFileSync(report, `${out.join('\n')}\n`);
  process.stdout.write(`${out.join('\n')}\n\nProfiles and summary: ${profileDir}\n`);
}
