/** Regenerates the MSRP section of BENCHMARKS.md (between markers), keeping the file's other sections. */
import type { MachineInfo } from './machine.js';
import type { Transport } from './net.js';
import type { BenchOptions } from './options.js';
import type { Results, SystemLabel } from './results.js';
import { median } from './stats.js';

const START = '<!-- msrp-bench:start -->';
const END = '<!-- msrp-bench:end -->';

interface RowSpec {
  readonly label: string;
  readonly workload: string;
  readonly metric: string;
  readonly higherIsBetter: boolean;
  /** A latency percentile shown next to the median. */
  readonly detail?: { readonly metric: string; readonly label: string };
  readonly missiveOnly?: boolean;
  readonly generator?: boolean;
}

export const WORKLOADS = {
  rate1: 'send-rate-2k-w1',
  rate32: 'send-rate-2k-w32',
  bulk8k: 'bulk-8k',
  bulk64k: 'bulk-64k',
  bulk1m: 'bulk-1m',
  setup: 'session-setup',
  idle: 'idle-sessions',
} as const;

function rows(sessions: string, bulk: string): RowSpec[] {
  return [
    {
      label: 'SEND/s, 2 KiB, 1 in flight',
      workload: WORKLOADS.rate1,
      metric: 'sends_per_s',
      higherIsBetter: true,
      detail: { metric: 'p95_ms', label: 'p95' },
      generator: true,
    },
    {
      label: 'SEND/s, 2 KiB, 32 in flight',
      workload: WORKLOADS.rate32,
      metric: 'sends_per_s',
      higherIsBetter: true,
      detail: { metric: 'p95_ms', label: 'p95' },
      generator: true,
    },
    {
      label: 'relay CPU µs per SEND (32 in flight)',
      workload: WORKLOADS.rate32,
      metric: 'relay_cpu_us_per_send',
      higherIsBetter: false,
    },
    {
      label: `MB/s, ${bulk} in 8 KiB chunks`,
      workload: WORKLOADS.bulk8k,
      metric: 'mb_per_s',
      higherIsBetter: true,
      generator: true,
    },
    {
      label: 'relay CPU s per GB, 8 KiB chunks',
      workload: WORKLOADS.bulk8k,
      metric: 'relay_cpu_s_per_gb',
      higherIsBetter: false,
    },
    {
      label: `MB/s, ${bulk} in 64 KiB chunks`,
      workload: WORKLOADS.bulk64k,
      metric: 'mb_per_s',
      higherIsBetter: true,
      missiveOnly: true,
      generator: true,
    },
    {
      label: 'relay CPU s per GB, 64 KiB chunks',
      workload: WORKLOADS.bulk64k,
      metric: 'relay_cpu_s_per_gb',
      higherIsBetter: false,
      missiveOnly: true,
    },
    {
      label: `MB/s, ${bulk} in 1 MiB chunks`,
      workload: WORKLOADS.bulk1m,
      metric: 'mb_per_s',
      higherIsBetter: true,
      missiveOnly: true,
      generator: true,
    },
    {
      label: 'relay CPU s per GB, 1 MiB chunks',
      workload: WORKLOADS.bulk1m,
      metric: 'relay_cpu_s_per_gb',
      higherIsBetter: false,
      missiveOnly: true,
    },
    {
      label: 'session setups/s (32 parallel clients)',
      workload: WORKLOADS.setup,
      metric: 'setups_per_s',
      higherIsBetter: true,
      detail: { metric: 'p99_ms', label: 'p99' },
    },
    {
      label: 'relay CPU µs per session setup',
      workload: WORKLOADS.setup,
      metric: 'relay_cpu_us_per_setup',
      higherIsBetter: false,
    },
    {
      label: `memory per idle authenticated session, bytes (${sessions} sessions)`,
      workload: WORKLOADS.idle,
      metric: 'bytes_per_session',
      higherIsBetter: false,
    },
  ];
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function cell(results: Results, transport: Transport, row: RowSpec, system: SystemLabel): string {
  const failure = results.failure(transport, row.workload, system);
  const values = results.values(transport, row.workload, system, row.metric);
  if (values.length === 0) return failure === undefined ? '–' : 'failed¹';
  let text = `**${formatNumber(median(values))}**`;
  if (row.detail !== undefined) {
    const detail = results.median(transport, row.workload, system, row.detail.metric);
    if (detail !== undefined) text += ` (${row.detail.label} ${formatNumber(detail)} ms)`;
  } else if (values.length > 1) {
    text += ` (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})`;
  }
  return text;
}

function ratio(results: Results, transport: Transport, row: RowSpec): string {
  const m = results.median(transport, row.workload, 'missive', row.metric);
  const k = results.median(transport, row.workload, 'kamailio', row.metric);
  if (m === undefined || k === undefined || k === 0) return '–';
  const r = m / k;
  const better = row.higherIsBetter ? r >= 1 : r <= 1;
  return `${r.toFixed(2)}×${better ? '' : ' ⚠'}`;
}

function table(results: Results, transport: Transport, specs: readonly RowSpec[]): string[] {
  const lines = [
    '| Row | Kamailio | missive | missive / Kamailio | generator alone (A → B) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of specs) {
    const kamailio = row.missiveOnly === true ? 'n/a²' : cell(results, transport, row, 'kamailio');
    const generator = row.generator === true ? cell(results, transport, row, 'generator') : '';
    const r = row.missiveOnly === true ? '–' : ratio(results, transport, row);
    lines.push(
      `| ${row.label} | ${kamailio} | ${cell(results, transport, row, 'missive')} | ${r} | ${generator} |`,
    );
  }
  return lines;
}

function busyTable(results: Results, transport: Transport): string[] {
  const lines = [
    '| Row | Kamailio core busy | missive core busy | generator CPU (Kamailio run / missive run / alone) |',
    '|---|---:|---:|---:|',
  ];
  const percent = (value: number | undefined): string =>
    value === undefined ? '–' : `${Math.round(value * 100)}%`;
  const specs: [string, string][] = [
    ['SEND/s, 1 in flight', WORKLOADS.rate1],
    ['SEND/s, 32 in flight', WORKLOADS.rate32],
    ['bulk, 8 KiB', WORKLOADS.bulk8k],
    ['bulk, 64 KiB', WORKLOADS.bulk64k],
    ['bulk, 1 MiB', WORKLOADS.bulk1m],
    ['session setups', WORKLOADS.setup],
  ];
  for (const [label, workload] of specs) {
    const busy = (system: SystemLabel): string =>
      percent(results.median(transport, workload, system, 'relay_core_busy'));
    const gen = (system: SystemLabel): string =>
      percent(results.median(transport, workload, system, 'generator_cpu'));
    lines.push(
      `| ${label} | ${busy('kamailio')} | ${busy('missive')} | ${gen('kamailio')} / ${gen('missive')} / ${gen('generator')} |`,
    );
  }
  return lines;
}

export interface ReportInput {
  readonly results: Results;
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly command: string;
  readonly csvFile: string;
  readonly startedAt: Date;
  readonly minutes: number;
  readonly loadStart: string;
  readonly loadEnd: string;
  readonly sessions: number;
  readonly sessionsNote: string | undefined;
}

export function renderSection(input: ReportInput): string {
  const { results, options, machine } = input;
  const bulk = `${options.bulkBytes / 1024 / 1024} MiB`;
  const specs = rows(input.sessions.toLocaleString('en-US'), bulk);
  const out: string[] = [
    START,
    '## MSRP relay: missive vs Kamailio msrp module',
    '',
    `Generated by \`${input.command}\` on ${input.startedAt.toISOString()} (${options.quick ? '**--quick smoke run: indicative only**' : 'full run'}, ${input.minutes.toFixed(1)} min). ` +
      `Raw CSV of every run: \`${input.csvFile}\`.`,
    '',
    `- **Machine:** ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; kernel ${machine.kernel}; Node ${machine.node}; ${machine.kamailio} (Debian package, \`msrp.so\`).`,
    `- **Load average (1/5/15 min)** at start ${input.loadStart}, at end ${input.loadEnd}. The machine is shared: other jobs ran at the same time, so treat small differences as noise.`,
    `- **Method:** both relays run side by side on 127.0.0.1; for each row the runs alternate between them (1 warm-up run discarded, then ${options.runs} measured runs; 8 KiB bulk row: ${options.bulkRuns}, as a transfer lasts under a second; idle-session row: ${options.idleRuns} runs with fresh relays). Figures are medians; ranges are min–max of the runs; p95/p99 are per-transaction latencies (median over runs).`,
    `- **Pinning:** each relay \`taskset -c 1\` (Kamailio: all its processes, \`tcp_children=1\`; missive: one Node process); the generator (A and B in one Node process) pinned to core 0. With 2 cores the generator has exactly one core: where it is at ~100% CPU (second table) the relay figure is a lower bound, and the relay CPU-per-unit rows are the fairer comparison.`,
    '- **TLS table:** the same rows over TLS (self-signed ECDSA P-256 certificate for both relays and for B; A → relay and relay → B are both TLS, `msrps:` URIs). A does a full handshake for every connection (the generator does not resume); towards B, missive resumes the TLS session of its previous connection to B, and Kamailio sends every session over the one connection it keeps to B.',
    '- **Topology:** A → relay → B. A authenticates (AUTH → 401 → AUTH with digest → 200 + Use-Path) and sends with `To-Path: <Use-Path> <B>`; the relay connects to B, a listener of the generator. B answers every SEND with 200.',
    '- **Completed SEND:** A got the relay\'s 200 for it *and* B received the whole chunk (and answered 200). "In flight" = sent − completed. Chunks are complete messages (`Byte-Range: 1-2048/2048`, `$`).',
    `- **Bulk:** one ${bulk} message in chunks (\`Byte-Range\` start-end/total, \`+\`, last \`$\`), at most ${options.bulkWindowBytes / 1024 / 1024} MiB in flight; MB = 10⁶ bytes, GB = 10⁹ bytes; relay CPU = utime+stime of the relay's processes from \`/proc/<pid>/stat\` over the transfer.`,
    `- **Session setup:** ${options.setupParallel} parallel clients, each looping connect → AUTH 401 → AUTH 200 → empty binding SEND (\`Byte-Range: 1-0/0\`) completed (relay's 200 at A, B got it) → close. missive opens a connection to B per session, as msrprelay does (one session per connection); Kamailio reuses one.`,
    `- **Idle sessions:** memory = PSS summed over the relay's processes (so Kamailio's shared memory counts once), after − before opening the sessions, divided by their number; each session is an authenticated (AUTH 200) connection without SEND.${input.sessionsNote === undefined ? '' : ` ${input.sessionsNote}`}`,
    '',
  ];
  for (const transport of options.transports) {
    out.push(`### ${transport === 'tcp' ? 'Plain TCP' : 'TLS'}`, '', ...table(results, transport, specs), '');
    out.push(
      'Where the CPU went (1 = one core fully busy over the run):',
      '',
      ...busyTable(results, transport),
      '',
    );
  }
  out.push(
    "¹ failed: see the notes below and the CSV. ² Kamailio's msrp module handles whole frames in a fixed buffer and does not relay frames above about 16 KB (see the probe below), so 64 KiB and 1 MiB chunks are measured for missive alone.",
    '',
    '⚠ marks a row where missive is behind Kamailio (lower throughput, or more CPU/memory per unit).',
    '',
  );
  if (results.notes.length > 0 || results.failures.length > 0) {
    out.push('Notes from this run:', '');
    for (const note of results.notes) out.push(`- ${note}`);
    for (const f of results.failures)
      out.push(`- ${f.transport} ${f.workload} ${f.system}: failed: ${f.message}`);
    out.push('');
  }
  out.push(
    'Configuration: Kamailio `deploy/kamailio-msrp/kamailio-msrp.cfg` (+ `tls.cfg.in`), `-m 2048 -M 64`, `debug=1`; missive `[Relay]` with `backend = memory`, `log_level = warning` (`bench/msrp/relays/missive.ts`). Generator: `bench/msrp/`.',
    END,
  );
  return out.join('\n');
}
