/** Renders the WebSocket section of BENCHMARKS.md and writes it between its markers, leaving the rest alone. */
import { median, percentile } from '../journal/stats.js';
import type { MachineInfo } from '../msrp/machine.js';
import type { StoreKind } from './bench-store.js';
import type { HeapGroup } from './heap-summary.js';
import type { WsBenchOptions } from './options.js';
import { type CapacityRun, GENERATOR_CORE, type LatencyRun, SERVER_CORE, WARMUP_SECONDS } from './phases.js';
import { raisedLimits } from './server.js';

const START = '<!-- ws-bench:start -->';
const END = '<!-- ws-bench:end -->';
const KIB = 1024;
const GIB = 1024 ** 3;

export interface WsReportInput {
  readonly command: string;
  readonly options: WsBenchOptions;
  readonly machine: MachineInfo;
  readonly fdLimits: { readonly soft: number; readonly hard: number };
  readonly startedAt: Date;
  readonly minutes: number;
  readonly loadStart: string;
  readonly loadEnd: string;
  readonly subscribers: number;
  readonly createSeconds: number;
  /** fsyncs per second of the data directory's disk, measured before the runs. */
  readonly fsyncs: number;
  /** The same, after the runs. */
  readonly fsyncsEnd: number;
  readonly storeNames: ReadonlyMap<StoreKind, string>;
  /** Heap growth by type between the snapshots of the snapshot run (with --snapshot). */
  readonly heap: { readonly groups: readonly HeapGroup[]; readonly connections: number } | undefined;
  readonly capacity: readonly CapacityRun[];
  readonly latency: readonly LatencyRun[];
  readonly failures: readonly string[];
  readonly resultsFile: string;
}

const integer = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The median of `values` in bold with its range when there are several. */
function cell(values: readonly number[], format: (n: number) => string): string {
  if (values.length === 0) return '–';
  const range =
    values.length > 1 && values.some(Number.isFinite)
      ? ` (${format(Math.min(...values))}–${format(Math.max(...values))})`
      : '';
  return `**${format(median(values))}**${range}`;
}

function perConnection(run: CapacityRun, field: 'rss' | 'heapUsed' | 'external'): number {
  return run.registered === 0 ? Number.NaN : (run.after[field] - run.before[field]) / run.registered;
}

function capacityLines(input: WsReportInput): string[] {
  const runs = input.capacity;
  if (runs.length === 0) return [];
  const rss = runs.map((r) => perConnection(r, 'rss'));
  const heap = runs.map((r) => perConnection(r, 'heapUsed'));
  const external = runs.map((r) => perConnection(r, 'external'));
  const held = runs.map((r) => r.registered);
  const setupCpu = runs.map((r) => (r.cpuSeconds * 1e6) / Math.max(1, r.registered));
  const setupRate = runs.map((r) => r.registered / r.connectSeconds);
  const capped = runs.some((r) => r.attempted < r.asked);
  const first = runs[0];
  const rssKiB = median(rss) / KIB;
  return [
    '### Registered connections and memory per idle connection',
    '',
    '| Row | missive | target |',
    '|---|---:|---:|',
    `| registered connections held at once | ${cell(held, integer)}${capped ? ' ¹' : ''} | 50,000 |`,
    `| server RSS per idle registered connection (KiB) | ${cell(
      rss.map((v) => v / KIB),
      (n) => fixed(n),
    )} | ≤ 16 |`,
    `| of which JS heap used (KiB) | ${cell(
      heap.map((v) => v / KIB),
      (n) => fixed(n),
    )} | |`,
    `| of which external (Buffers, KiB) | ${cell(
      external.map((v) => v / KIB),
      (n) => fixed(n, 2),
    )} | |`,
    `| server RSS before → after (MiB) | ${first === undefined ? '–' : `${fixed(first.before.rss / 2 ** 20, 0)} → ${fixed(first.after.rss / 2 ** 20, 0)}`} (run 1) | |`,
    `| connections opened and registered per second | ${cell(setupRate, integer)} | |`,
    `| server CPU µs per connection set up (handshake, add, register) | ${cell(setupCpu, integer)} | |`,
    `| server core busy while connecting | ${cell(
      runs.map((r) => (r.cpuSeconds / r.connectSeconds) * 100),
      (n) => `${fixed(n, 0)}%`,
    )} | |`,
    `| server thread runnable but waiting for a CPU while connecting (other jobs) | ${cell(
      runs.map((r) => (r.waitingSeconds / r.connectSeconds) * 100),
      (n) => `${fixed(n, 0)}%`,
    )} | |`,
    '',
    ...(median(runs.map((r) => r.cpuSeconds / r.connectSeconds)) < 0.5
      ? [
          `The server's core is mostly idle while connections are set up, and missive's own work per setup is the CPU row above. What a setup waits for besides: a CPU, while other jobs hold the server's core (the row above), and the SQLite commit of \`account-register\` (the storage account's last login, sylk spec §1.7.1 step 6), an fsync on the server's only thread (the disk did ${integer(input.fsyncs)} a second). On this shared machine those waits, not missive's CPU, pace the setups.`,
          '',
        ]
      : []),
    ...(capped && first !== undefined
      ? [
          `¹ Capped by the server's open-files limit, not by missive: this container's hard limit is ${integer(first.serverFdLimit)} descriptors per process (\`ulimit -Hn\`; root here cannot raise it: no CAP_SYS_RESOURCE), one per connection, so ${integer(first.attempted)} of the ${integer(first.asked)} asked for were opened. At ${fixed(rssKiB)} KiB each, 50,000 would take ${fixed((50_000 * median(rss)) / GIB, 2)} GiB of the server's memory.`,
          '',
        ]
      : []),
  ];
}

function latencyLines(input: WsReportInput): string[] {
  const kinds = [...new Set(input.latency.map((r) => r.store))];
  if (kinds.length === 0) return [];
  const first = input.latency[0];
  const byStore = (kind: StoreKind): LatencyRun[] => input.latency.filter((r) => r.store === kind);
  const row = (label: string, value: (runs: LatencyRun[]) => string, target = ''): string =>
    `| ${label} | ${kinds.map((kind) => value(byStore(kind))).join(' | ')} | ${target} |`;
  const p = (runs: LatencyRun[], pick: (r: LatencyRun) => number[], q: number): number[] =>
    runs.map((r) => percentile(pick(r), q));
  const ms = (digits: number) => (n: number) => fixed(n, digits);
  // Over every message sent in the measured part: one not delivered 10 s after the last send counts as
  // slower than any delivered, so that a server falling behind cannot look fast by what it never delivered.
  const late = (r: LatencyRun): number[] => [
    ...r.latencies,
    ...Array.from({ length: r.missing }, () => Number.POSITIVE_INFINITY),
  ];
  const latency = (n: number): string => (Number.isFinite(n) ? fixed(n, 1) : 'not delivered');
  return [
    `### Message latency WebSocket → WebSocket (${integer(first?.rate ?? 0)} messages/s, ${integer(first?.connections ?? 0)} connected)`,
    '',
    `| Row | ${kinds.map((kind) => `missive, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`).join(' | ')} | target |`,
    `|---|${kinds.map(() => '---:').join('|')}|---:|`,
    row("send → recipient's `message` event, p50 of every message sent (ms)", (runs) =>
      cell(p(runs, late, 50), latency),
    ),
    row(
      "send → recipient's `message` event, p99 of every message sent (ms)",
      (runs) => cell(p(runs, late, 99), latency),
      '< 50',
    ),
    row(
      "send → sender's `ack`, p50 / p99 of the acknowledged (ms)",
      (runs) =>
        `${fixed(median(p(runs, (r) => r.ackLatencies, 50)), 1)} / ${fixed(median(p(runs, (r) => r.ackLatencies, 99)), 1)}`,
    ),
    row(
      'messages sent / delivered by 10 s after the last send (the others count as not delivered), per run',
      (runs) =>
        `${integer(median(runs.map((r) => r.sent)))} / ${integer(median(runs.map((r) => r.latencies.length)))}`,
    ),
    row('messages delivered per second (measured part)', (runs) =>
      cell(
        runs.map((r) => r.latencies.length / r.seconds),
        integer,
      ),
    ),
    row(
      'journal entries per acknowledged message (warm-up included)',
      (runs) =>
        cell(
          runs.map((r) => r.journalEntries / Math.max(1, r.ackedAll)),
          ms(2),
        ),
      '2',
    ),
    row('server CPU µs per message delivered', (runs) =>
      cell(
        runs.map((r) => (r.cpuSeconds * 1e6) / Math.max(1, r.latencies.length)),
        integer,
      ),
    ),
    row('server thread runnable but waiting for a CPU (other jobs)', (runs) =>
      cell(
        runs.map((r) => (r.waitingSeconds / r.wallSeconds) * 100),
        (n) => `${fixed(n, 0)}%`,
      ),
    ),
    row('server core busy', (runs) =>
      cell(
        runs.map((r) => (r.cpuSeconds / r.wallSeconds) * 100),
        (n) => `${fixed(n, 0)}%`,
      ),
    ),
    '',
    ...kinds.map(
      (kind) => `- ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${input.storeNames.get(kind) ?? kind}.`,
    ),
    `- The data directory's disk did ${integer(input.fsyncs)} fsyncs a second before the runs and ${integer(input.fsyncsEnd)} after them (4 KiB write + fsync in a loop for 2 s, the other jobs running): with SQLite every journal commit waits for one, on the server's only thread.`,
    '',
  ];
}

function heapLines(input: WsReportInput): string[] {
  if (input.heap === undefined || input.heap.connections === 0) return [];
  const heap = input.heap.groups;
  const n = input.heap.connections;
  const total = heap.reduce((sum, g) => sum + g.bytes, 0);
  return [
    `Where the heap goes (a run of its own, not in the figures above: heap snapshots of the server before and after ${integer(n)} connections, \`bench/ws/heap-summary.ts\`): ${integer(total / n)} bytes per connection in all; the largest groups by V8 type and constructor:`,
    '',
    '| bytes per connection | objects per connection | type and constructor |',
    '|---:|---:|---|',
    ...heap.slice(0, 16).map((g) => `| ${integer(g.bytes / n)} | ${fixed(g.count / n, 2)} | ${g.name} |`),
    '',
  ];
}

function scaleLines(input: WsReportInput): string[] {
  const rss = median(input.capacity.map((r) => perConnection(r, 'rss')));
  const cpuPerMessage = (kind: StoreKind): number =>
    median(
      input.latency
        .filter((r) => r.store === kind)
        .map((r) => (r.cpuSeconds * 1e6) / Math.max(1, r.latencies.length)),
    );
  const lines = ['### What the figures mean per core and per GiB', ''];
  if (Number.isFinite(rss)) {
    lines.push(
      `- **Per GiB:** at ${fixed(rss / KIB)} KiB of server memory per idle registered connection, one GiB of the server's memory holds about ${integer(GIB / rss)} connections (the kernel's socket buffers come on top, outside the process: a few KiB per idle loopback socket). For scale: Phoenix's 2 million connections on one 40-core machine with 128 GB are about 64 KiB each, everything on the machine included; WhatsApp's Erlang servers held about 2 million each on machines of about 100 GB, some 50 KiB each. By memory alone, a missive process holding 2 million idle connections would need about ${fixed((2e6 * rss) / GIB, 0)} GiB (V8's default old-space limit must then be raised with \`--max-old-space-size\`), and one descriptor per connection.`,
    );
  }
  const sqlite = cpuPerMessage('sqlite');
  const postgres = cpuPerMessage('postgres');
  const messaging = [
    Number.isFinite(sqlite)
      ? `${integer(sqlite)} µs with SQLite (about ${integer(1e6 / sqlite)} messages/s if the core were the only limit)`
      : undefined,
    Number.isFinite(postgres)
      ? `${integer(postgres)} µs with PostgreSQL (about ${integer(1e6 / postgres)} messages/s)`
      : undefined,
  ].filter((text) => text !== undefined);
  lines.push(
    `- **Per core:** missive is one Node process: one core for everything but its store. An idle connection costs it almost no CPU (one WebSocket ping every 120 s, \`--ws-ping-interval\`), so what one process holds is a question of memory and descriptors, not of the core${input.capacity.some((r) => r.attempted < r.asked) ? ': here the descriptor limit stops it first' : ''}. Phoenix's and WhatsApp's figures are idle or lightly used connections over 24–40 cores, about 50,000–80,000 per core.${messaging.length > 0 ? ` Messages are where the core goes: server CPU per WebSocket → WebSocket message (parse, admission, the journal writes for both sides, the recipient's event, the sender's disposition and ack) was ${messaging.join('; ')}. With SQLite every journal commit fsyncs (synchronous = FULL) on the event loop's thread, which waits meanwhile; neither that wait nor the time the thread is runnable while other jobs hold the core is CPU time, which is why the core is far from busy while messages queue: on this shared machine, the fsyncs and the other jobs set how many messages a second the process takes, and the CPU figure says what a core of its own would do.` : ''}`,
  );
  lines.push('');
  return lines;
}

export function renderSection(input: WsReportInput): string {
  const { options, machine } = input;
  const out: string[] = [
    START,
    '## sylkRTC WebSocket API: connections, memory per connection, message latency',
    '',
    `Generated by \`${input.command}\` on ${input.startedAt.toISOString()} (${fixed(input.minutes)} min). Every run: \`${input.resultsFile}\`.`,
    '',
    `- **Machine:** ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; kernel ${machine.kernel}; Node ${machine.node}. Open files per process: soft ${integer(input.fdLimits.soft)}, hard ${integer(input.fdLimits.hard)}.`,
    `- **Load average (1/5/15 min)** at start ${input.loadStart}, at end ${input.loadEnd}. The machine is shared with other jobs, which ran during the benchmark: treat the latencies and CPU figures as those of a loaded machine.`,
    `- **Server:** one \`missive serve\` on core ${String(SERVER_CORE)} (\`taskset\`), ${options.build === 'built' ? 'as it runs in production: built by `tsc` at the start of the run and started as `node dist/src/cli/main.js serve`' : 'run through tsx from the sources (`--tsx`: esbuild gives each function a `name` property of its own, which costs heap per closure)'}; its own data directory and store (the capacity phase: SQLite); started from a shell that raises \`ulimit -n\` to the hard limit. Raised for the capacity phase (the latency phase: the same for its connections): \`${raisedLimits(options.connections).join(' ')}\` (every client comes from a handful of loopback addresses; the failed-login limit is raised although no login fails, so that none could block a source). Everything else at its default (ping interval 120 s, login timeout 60 s, per-message-deflate off).`,
    `- **Clients:** ${String(options.generators)} load-generator processes (\`bench/ws/load-worker.ts\`, node's \`ws\`) on core ${String(GENERATOR_CORE)}, each from its own loopback address (127.0.0.2, 127.0.0.3, …: each address has its own ephemeral ports), at most 64 handshakes in flight each. Every connection does the real start-up: the upgrade with subprotocol \`sylkRTC-2\`, the \`ready-event\`, \`account-add\` with the HA1 of a real subscriber and \`account-register\`, and counts once the \`registered\` state arrives (the server checks the HA1 against the subscriber table and creates the storage account). The ${integer(input.subscribers)} subscribers were created before the run through the store's subscriber API in ${fixed(input.createSeconds)} s.`,
    `- **Memory:** the server's RSS and JS heap used after two full GCs (\`--expose-gc\`, \`bench/ws/server-probe.ts\` preloaded), 5 s after start-up (before the connections) and after the connections had idled 5 s, divided by the connections registered. ${options.capacityRuns === 1 ? 'One run (over thousands of connections the figure varies little: a few MiB of noise spread over them)' : `Medians of ${String(options.capacityRuns)} runs, each on a fresh server; ranges min–max`}; latency: medians of ${String(options.runs)} runs, each on a fresh server.`,
    `- **Latency:** ${integer(options.latencyConnections)} connections registered; the even ones send \`account-message\` (text/plain) to the odd one beside them at ${integer(options.rate)} messages/s in all (open loop, ${String(WARMUP_SECONDS)} s warm-up, then ${String(options.duration)} s measured); each message is timed in its generator from the send to the recipient's \`message\` event (sender and recipient in the same process, one clock). missive acknowledges an \`account-message\` only after the messaging service's intake has written the sender's and the recipient's journal entries (\`src/messaging/message-intake.ts\`: the answer is 200 only once every journal write is durable; \`sendMessage\` in \`messaging-service.ts\` returns after it), and the recipient's \`message\` event is emitted once both entries are written (\`deliverMessage\` in \`src/messaging/deliveries.ts\`), before the sender's ack; the journal's row count is checked against the acks after each run.`,
    '',
    ...capacityLines(input),
    ...heapLines(input),
    ...latencyLines(input),
    ...scaleLines(input),
  ];
  if (input.failures.length > 0) {
    out.push('Failures in this run:', '', ...input.failures.map((f) => `- ${f}`), '');
  }
  out.push(`Code: \`bench/ws/\`.`, END);
  return out.join('\n');
}
