/**
 * One table (plain TCP or TLS): the generator alone, then both relays side by side with alternating runs,
 * then the idle-session row with fresh relays.
 */
import { EndpointB } from './endpoint-b.js';
import type { TlsMaterial, Transport } from './net.js';
import type { BenchOptions } from './options.js';
import { startKamailio } from './relays/kamailio.js';
import { startMissive } from './relays/missive.js';
import type { RelayLaunch, RunningRelay, SystemName } from './relays/relay.js';
import { WORKLOADS } from './report.js';
import type { Results, SystemLabel } from './results.js';
import {
  KiB,
  measureBulk,
  measureIdleSessions,
  measureSendRate,
  measureSetupRate,
  type Metrics,
  probeChunk,
  tlsParameters,
} from './rows.js';

/** Relays currently running, so that an interrupted run can stop them. */
export const running = new Set<RunningRelay>();

export function log(message: string): void {
  process.stderr.write(`[bench:msrp ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export interface Context {
  readonly options: BenchOptions;
  readonly results: Results;
  readonly transport: Transport;
  readonly launch: RelayLaunch;
  readonly tls: TlsMaterial;
  readonly sessions: number;
}

async function start(system: SystemName, launch: RelayLaunch): Promise<RunningRelay> {
  const relay = system === 'kamailio' ? await startKamailio(launch) : await startMissive(launch);
  running.add(relay);
  return relay;
}

async function stop(relay: RunningRelay): Promise<void> {
  running.delete(relay);
  await relay.stop();
}

/** Runs one measurement and records it (or its failure); returns whether it succeeded. */
async function record(
  ctx: Context,
  workload: string,
  system: SystemLabel,
  run: number,
  measure: () => Promise<Metrics>,
): Promise<boolean> {
  const warmup = run < ctx.options.warmups;
  const label = `[${ctx.transport}] ${workload} ${system} ${warmup ? 'warm-up' : `run ${run - ctx.options.warmups + 1}/${ctx.options.runs}`}`;
  try {
    const metrics = await measure();
    ctx.results.add({ transport: ctx.transport, workload, system, run, warmup, metrics });
    const shown = Object.entries(metrics)
      .filter(([, value]) => Number.isFinite(value))
      .slice(0, 4)
      .map(([key, value]) => `${key}=${value >= 100 ? Math.round(value) : value.toPrecision(3)}`);
    log(`${label}: ${shown.join(' ')}`);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.results.fail({ transport: ctx.transport, workload, system, message });
    log(`${label}: FAILED: ${message}`);
    return false;
  }
}

export async function runTable(ctx: Context): Promise<void> {
  const { options, transport } = ctx;
  const b = await EndpointB.start(transport, transport === 'tls' ? ctx.tls : undefined);
  const total = options.warmups + options.runs;
  const rateWorkloads: [string, number][] = [
    [WORKLOADS.rate1, 1],
    [WORKLOADS.rate32, 32],
  ];
  const bulkWorkloads: [string, number][] = [
    [WORKLOADS.bulk8k, 8 * KiB],
    [WORKLOADS.bulk64k, 64 * KiB],
    [WORKLOADS.bulk1m, 1024 * KiB],
  ];
  try {
    log(`[${transport}] generator alone, A → B`);
    for (const [workload, window] of rateWorkloads) {
      for (let run = 0; run < total; run++) {
        await record(ctx, workload, 'generator', run, () =>
          measureSendRate(undefined, transport, b, options, window, options.rateMs),
        );
      }
    }
    for (const [workload, chunk] of bulkWorkloads) {
      for (let run = 0; run < total; run++) {
        await record(ctx, workload, 'generator', run, () =>
          measureBulk(undefined, transport, b, options, chunk),
        );
      }
    }

    const relays = {
      kamailio: await start('kamailio', ctx.launch),
      missive: await start('missive', ctx.launch),
    };
    try {
      if (transport === 'tls') {
        for (const relay of [relays.kamailio, relays.missive]) {
          const negotiated = await tlsParameters(relay.port).catch((error: unknown) => String(error));
          ctx.results.notes.push(`tls: the generator negotiates ${negotiated} with ${relay.system}.`);
        }
      }
      for (const size of [8 * KiB + 512, 16 * KiB, 64 * KiB]) {
        const ok = await probeChunk(relays.kamailio, transport, b, size).catch(() => false);
        ctx.results.notes.push(
          `${transport}: Kamailio probe, one ${size.toLocaleString('en-US')}-byte chunk: ${ok ? 'relayed' : 'NOT relayed'}.`,
        );
      }
      const both = (run: number): RunningRelay[] =>
        run % 2 === 0 ? [relays.kamailio, relays.missive] : [relays.missive, relays.kamailio];
      for (const [workload, window] of rateWorkloads) {
        for (let run = 0; run < total; run++) {
          for (const relay of both(run)) {
            await record(ctx, workload, relay.system, run, () =>
              measureSendRate(relay, transport, b, options, window, options.rateMs),
            );
          }
        }
      }
      const bulkCtx = { ...ctx, options: { ...options, runs: options.bulkRuns } };
      for (let run = 0; run < options.warmups + bulkCtx.options.runs; run++) {
        for (const relay of both(run)) {
          await record(bulkCtx, WORKLOADS.bulk8k, relay.system, run, () =>
            measureBulk(relay, transport, b, options, 8 * KiB),
          );
        }
      }
      for (const [workload, chunk] of bulkWorkloads.slice(1)) {
        for (let run = 0; run < total; run++) {
          await record(ctx, workload, 'missive', run, () =>
            measureBulk(relays.missive, transport, b, options, chunk),
          );
        }
      }
      for (let run = 0; run < total; run++) {
        for (const relay of both(run)) {
          await record(ctx, WORKLOADS.setup, relay.system, run, () =>
            measureSetupRate(relay, transport, b, options, options.setupMs),
          );
        }
      }
      if (b.unknownSession > 0 || b.errors > 0) {
        ctx.results.notes.push(
          `${transport}: B saw ${b.unknownSession} chunks for unknown sessions and ${b.errors} framing errors.`,
        );
      }
    } finally {
      await stop(relays.kamailio);
      await stop(relays.missive);
    }
  } finally {
    await b.close();
  }

  // Memory per idle session: fresh relays each run, one at a time, alternating.
  for (let run = 0; run < options.idleRuns; run++) {
    const order: SystemName[] = run % 2 === 0 ? ['kamailio', 'missive'] : ['missive', 'kamailio'];
    for (const system of order) {
      const relay = await start(system, ctx.launch);
      try {
        await record(
          { ...ctx, options: { ...options, warmups: 0, runs: options.idleRuns } },
          WORKLOADS.idle,
          system,
          run,
          () => measureIdleSessions(relay, transport, options, ctx.sessions),
        );
      } finally {
        await stop(relay);
      }
    }
  }
}
