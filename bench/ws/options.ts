/** Command-line options of `npm run bench:ws -- [options]`. */
import { parseArgs } from 'node:util';
import type { StoreKind } from './bench-store.js';
import type { ServerBuild } from './server.js';

export interface WsBenchOptions {
  /** Registered connections to open in the capacity and memory phase (capped by the open-files limit). */
  readonly connections: number;
  /** Connections open during the latency phase. */
  readonly latencyConnections: number;
  /** account-message requests per second in the latency phase. */
  readonly rate: number;
  /** Seconds of measured sending per latency run (after a warm-up). */
  readonly duration: number;
  /** Latency runs, each on a fresh server; figures are medians. */
  readonly runs: number;
  /** Capacity runs (memory per connection over thousands of connections varies little between runs). */
  readonly capacityRuns: number;
  /** Load-generator processes, each from its own loopback address (127.0.0.2, .3, …). */
  readonly generators: number;
  /** Write a heap snapshot of the server with the connections open (bench/results/). */
  readonly snapshot: boolean;
  /** The stores the latency phase runs on, one after the other (the capacity phase: SQLite). */
  readonly latencyStores: readonly StoreKind[];
  /** Run the server from tsc's output (built first) or through tsx. */
  readonly build: ServerBuild;
  /** Only these phases. */
  readonly phases: readonly Phase[];
}

export type Phase = 'capacity' | 'latency';

export const USAGE = `Usage: npm run bench:ws -- [--connections N] [--latency-connections N] [--rate R] [--duration S] [--runs N] [--capacity-runs N] [--generators N] [--phases capacity,latency]
       [--latency-stores sqlite,postgres] [--snapshot] [--tsx]
  --connections N          registered connections to hold (default 50000; capped by the open-files limit)
  --latency-connections N  connections open while messages are timed (default 10000)
  --rate R                 account-message requests per second in the latency phase (default 1000)
  --duration S             measured seconds per latency run, after a 3 s warm-up (default 30)
  --runs N                 latency runs, each on a fresh server; figures are medians (default 3)
  --capacity-runs N        capacity runs, each on a fresh server (default 1)
  --generators N           load-generator processes, one loopback address each (default 4)
  --phases a,b             only these phases: capacity (connections and memory), latency
  --snapshot               one more capacity run (up to 5,000 connections, in no figure) with heap snapshots of
                           the server before and after the connections (bench/results/), summarized in the report;
                           node --import tsx bench/ws/heap-summary.ts BEFORE AFTER N shows where the heap went
  --latency-stores a,b     the stores the latency phase runs on (default sqlite; postgres: a schema of the
                           run's own in postgresql://postgres@127.0.0.1:5432/test, dropped at the end)
  --tsx                    run the server through tsx (as the tests do) instead of building it with tsc
                           and running dist/, as missive runs in production`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number\n${USAGE}`);
  return value;
}

export function parseOptions(argv: readonly string[]): WsBenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        connections: { type: 'string' },
        'latency-connections': { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        runs: { type: 'string' },
        'capacity-runs': { type: 'string' },
        generators: { type: 'string' },
        phases: { type: 'string' },
        snapshot: { type: 'boolean', default: false },
        tsx: { type: 'boolean', default: false },
        'latency-stores': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) throw new Error(USAGE);
  const phases = (values.phases ?? 'capacity,latency').split(',').map((p) => p.trim());
  for (const phase of phases) {
    if (phase !== 'capacity' && phase !== 'latency')
      throw new Error(`unknown phase ${phase} (capacity, latency)\n${USAGE}`);
  }
  const latencyStores = (values['latency-stores'] ?? 'sqlite').split(',').map((p) => p.trim());
  for (const store of latencyStores) {
    if (store !== 'sqlite' && store !== 'postgres')
      throw new Error(`unknown store ${store} (sqlite, postgres)\n${USAGE}`);
  }
  return {
    latencyStores: latencyStores as StoreKind[],
    connections: Math.floor(positive('connections', values.connections, 50_000)),
    latencyConnections: Math.floor(positive('latency-connections', values['latency-connections'], 10_000)),
    rate: positive('rate', values.rate, 1000),
    duration: positive('duration', values.duration, 30),
    runs: Math.floor(positive('runs', values.runs, 3)),
    capacityRuns: Math.floor(positive('capacity-runs', values['capacity-runs'], 1)),
    generators: Math.floor(positive('generators', values.generators, 4)),
    snapshot: values.snapshot,
    build: values.tsx ? 'tsx' : 'built',
    phases: phases as Phase[],
  };
}
