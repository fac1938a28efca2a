/** Renders the SIP section of BENCHMARKS.md and writes it between its markers, leaving the rest alone. */
import type { MachineInfo } from '../msrp/machine.js';
import type { SipBenchOptions, SipTransport } from './options.js';
import type { Metric, SipResults } from './results.js';
import { SCHEDULE_SLACK, SCHEDULE_TAIL_S } from './probe.js';
import { HINT_SHARE, HINTED_GROWTH } from './session.js';
import { PKG_MB, SHM_MB } from './targets/kamailio.js';
import type { SipTarget } from './targets/target.js';

const START = '<!-- sip-bench:start -->';
const END = '<!-- sip-bench:end -->';

export interface SipReportInput {
  readonly results: SipResults;
  readonly options: SipBenchOptions;
  readonly targets: readonly SipTarget[];
  readonly reference: string;
  readonly machine: MachineInfo;
  readonly sippVersion: string;
  readonly command: string;
  readonly csvFile: string;
  readonly startedAt: Date;
  readonly minutes: number;
  readonly loadStart: string;
  readonly loadEnd: string;
  readonly generatorCore: number;
  readonly proxyCore: number;
}

export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (value === 0) return '0';
  return value.toPrecision(2);
}

function label(target: SipTarget): string {
  if (target.name === 'kamailio') return 'Kamailio';
  if (target.kind === 'baseline') return 'generator alone (sipp → sipp)';
  return target.name;
}

interface Row {
  readonly label: string;
  readonly cell: (transport: SipTransport, target: string) => string;
  /** For the ratio columns: the metric and whether more is better. */
  readonly ratio?: { readonly metric: Metric; readonly higherIsBetter: boolean };
  readonly proxiesOnly?: boolean;
}

function rows(results: SipResults): Row[] {
  const med = (t: SipTransport, target: string, metric: Metric): number | undefined =>
    results.median(t, target, metric);
  const percent = (value: number | undefined): string =>
    value === undefined || !Number.isFinite(value) ? '–' : `${Math.round(value * 100)}%`;
  return [
    {
      label: 'highest MESSAGE/s with no failure',
      cell: (t, target) => {
        const values = results.values(t, target, 'maxRate');
        if (values.length === 0) return '–';
        const capped = results.of(t, target).some((r) => r.session.firstFailure === undefined);
        const range =
          values.length > 1
            ? ` (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})`
            : '';
        return `**${formatNumber(med(t, target, 'maxRate'))}${capped ? '+' : ''}**${range}`;
      },
      ratio: { metric: 'maxRate', higherIsBetter: true },
    },
    {
      label: 'response time at that rate, p50 / p99 / mean (ms)',
      cell: (t, target) =>
        results.of(t, target).length === 0
          ? '–'
          : `${formatNumber(med(t, target, 'p50'))} / ${formatNumber(med(t, target, 'p99'))} / ${formatNumber(med(t, target, 'mean'))}`,
    },
    {
      label: 'UAC retransmissions in that probe',
      cell: (t, target) =>
        results.of(t, target).length === 0 ? '–' : formatNumber(med(t, target, 'retransmissions')),
    },
    {
      label: 'proxy CPU µs per MESSAGE at that rate',
      cell: (t, target) => formatNumber(med(t, target, 'proxyCpuUs')),
      ratio: { metric: 'proxyCpuUs', higherIsBetter: false },
      proxiesOnly: true,
    },
    {
      label: 'cores busy in that probe: proxy core / generator core',
      cell: (t, target) =>
        results.of(t, target).length === 0
          ? '–'
          : `${percent(med(t, target, 'proxyBusy'))} / ${percent(med(t, target, 'generatorBusy'))}`,
    },
    {
      label: 'lowest failing rate (last run): why',
      cell: (t, target) => {
        const last = results.of(t, target).at(-1);
        if (last === undefined) return '–';
        const failure = last.session.firstFailure;
        if (failure === undefined) return `none up to ${formatNumber(last.session.best?.rate)}/s`;
        return `${formatNumber(failure.rate)}/s: ${failure.reasons.join('; ')}`;
      },
    },
  ];
}

function ratio(
  results: SipResults,
  transport: SipTransport,
  row: Row,
  target: string,
  reference: string,
): string {
  if (row.ratio === undefined) return '';
  const m = results.median(transport, target, row.ratio.metric);
  const k = results.median(transport, reference, row.ratio.metric);
  if (m === undefined || k === undefined || k === 0) return '–';
  const r = m / k;
  const better = row.ratio.higherIsBetter ? r >= 1 : r <= 1;
  return `${r.toFixed(2)}×${better ? '' : ' ⚠'}`;
}

function table(input: SipReportInput, transport: SipTransport): string[] {
  const { results, targets, reference } = input;
  const proxies = targets.filter((t) => t.kind === 'proxy');
  const baselines = targets.filter((t) => t.kind === 'baseline');
  const compared = proxies.filter((t) => t.name !== reference);
  const skipped = new Set(results.skipped.map((s) => s.target));
  const header = [
    'Row',
    ...proxies.map(label),
    ...compared.map((t) => `${t.name} / Kamailio`),
    ...baselines.map(label),
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|---|${header
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  ];
  for (const row of rows(results)) {
    const cell = (target: SipTarget): string => {
      if (skipped.has(target.name)) return 'not run¹';
      if (row.proxiesOnly === true && target.kind === 'baseline') return '';
      return row.cell(transport, target.name);
    };
    const cells = [
      row.label,
      ...proxies.map(cell),
      ...compared.map((t) => (skipped.has(t.name) ? '–' : ratio(results, transport, row, t.name, reference))),
      ...baselines.map(cell),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

export function renderSection(input: SipReportInput): string {
  const { results, options, machine } = input;
  const tick = results.tickMs();
  const out: string[] = [
    START,
    '## SIP proxy: MESSAGE through missive vs Kamailio',
    '',
    `Generated by \`${input.command}\` on ${input.startedAt.toISOString()} (${options.quick ? '**--quick smoke run: indicative only**' : 'full run'}, ${input.minutes.toFixed(1)} min). Raw CSV of every probe: \`${input.csvFile}\`.`,
    '',
    `- **Machine:** ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; kernel ${machine.kernel}; Node ${machine.node}; ${machine.kamailio} and ${input.sippVersion} (Debian packages).`,
    `- **Load average (1/5/15 min)** at start ${input.loadStart}, at end ${input.loadEnd}. The machine is shared: other jobs ran at the same time, so treat small differences as noise.`,
    "- **Topology:** sipp UAC → proxy → sipp UAS, all on 127.0.0.1. First the UAS's address is registered at the proxy (`register.xml`, REGISTER without authentication, sipp bound to the UAS's port); then each MESSAGE (`message-uac.xml`: text/plain, no authentication) is looked up in the location table and relayed statefully to the UAS (`message-uas.xml`), whose 200 comes back the same way. UDP: `sipp -t u1` on both sides; TCP: `-t t1` (one connection UAC → proxy, one proxy → UAS). Scenarios: `test/interop/scenarios/`.",
    `- **Method:** a rate search per target, transport and run: probes of ${options.probeSeconds} s at a fixed rate (open loop: \`-r\`, no limit on calls in progress), doubling from ${formatNumber(options.startRate)}/s (later runs: from ${Math.round(HINT_SHARE * 100)} % of the previous result, ×${HINTED_GROWTH}) until a probe fails, then bisecting until the highest pass and the lowest failure are ${Math.round(options.precision * 100)} % apart (at most ${options.maxProbes} probes; 1 s pause after a probe, 3 s after a failure; a 1 s warm-up at 500/s first). ${options.runs} run${options.runs === 1 ? '' : 's'} per target, the order of targets alternating; figures are medians, ranges min–max.`,
    `- **A probe passes** when every MESSAGE got its 200: 0 failed calls, i.e. no unexpected message, no receive timeout (5 s) and no exhausted UDP retransmissions; and sipp finished within ${Math.round((SCHEDULE_SLACK - 1) * 100)} % + ${SCHEDULE_TAIL_S * 1000} ms of the sending time (a proxy that only queues does not pass). Retransmissions are counted, not judged.`,
    `- **Response times:** sipp's \`-trace_rtt\` at the UAC (MESSAGE sent → 200 received) in the highest passing probe.${tick === undefined ? '' : ` sipp reads a coarse clock, which ticks every ${tick} ms here: p50/p99 are multiples of ${tick} ms (0 = under one tick); the mean is finer, because responses fall uniformly between ticks.`}`,
    `- **Pinning:** each proxy \`taskset -c ${input.proxyCore}\` (Kamailio: all its processes, \`children=2\`, \`tcp_children=2\`); both sipp processes on core ${input.generatorCore} with 4 MiB socket buffers (\`-buff_size\`: sipp's 64 KiB default drops UDP bursts). "generator alone" sends straight to the UAS, no proxy: the ceiling of the generator on its core. Core busy shares are whole-core figures from \`/proc/stat\`, so they include other people's work.`,
    '',
  ];
  for (const transport of options.transports) {
    out.push(`### ${transport.toUpperCase()}`, '', ...table(input, transport), '');
  }
  if (results.skipped.length > 0) {
    out.push(`¹ not run: ${results.skipped.map((s) => `${s.target}: ${s.reason}`).join('; ')}.`, '');
  }
  out.push(
    '⚠ marks a row where the target is behind Kamailio. A `+` after a rate: no probe failed up to the largest rate tried.',
    '',
  );
  if (results.notes.length > 0 || results.failures.length > 0) {
    out.push('Notes from this run:', '');
    for (const note of results.notes) out.push(`- ${note}`);
    for (const f of results.failures)
      out.push(`- ${f.transport} ${f.target} run ${f.run + 1}: failed: ${f.message}`);
    out.push('');
  }
  out.push(
    `Configuration: Kamailio \`bench/sip/kamailio.cfg\` (registrar with usrloc \`db_mode 0\`, \`lookup\`, \`t_relay\`; no auth; \`debug=1\`), \`-m ${SHM_MB} -M ${PKG_MB}\`; missive: \`bench/sip/targets/missive.ts\`. Code: \`bench/sip/\`, peers harness \`test/interop/harness/\`.`,
    END,
  );
  return out.join('\n');
}
