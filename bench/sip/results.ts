/** Every search and probe of a benchmark run, their medians, and the raw CSV. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { median } from '../msrp/stats.js';
import type { SipTransport } from './options.js';
import type { ProbeResult } from './probe.js';
import type { SessionResult } from './session.js';

export interface SearchRecord {
  readonly transport: SipTransport;
  readonly target: string;
  readonly run: number;
  readonly session: SessionResult;
}

export interface Skipped {
  readonly target: string;
  readonly reason: string;
}

/** Figures of one search, from its best probe. */
export type Metric =
  | 'maxRate'
  | 'p50'
  | 'p99'
  | 'mean'
  | 'retransmissions'
  | 'proxyCpuUs'
  | 'generatorBusy'
  | 'proxyBusy';

function metricOf(record: SearchRecord, metric: Metric): number {
  const best: ProbeResult | undefined = record.session.best;
  if (metric === 'maxRate') return best?.rate ?? 0;
  if (best === undefined) return Number.NaN;
  switch (metric) {
    case 'p50':
      return best.latency.p50;
    case 'p99':
      return best.latency.p99;
    case 'mean':
      return best.latency.mean;
    case 'retransmissions':
      return best.retransmissions;
    case 'proxyCpuUs':
      return best.proxyCpuUs;
    case 'generatorBusy':
      return best.generatorCoreBusy;
    case 'proxyBusy':
      return best.proxyCoreBusy;
  }
}

export class SipResults {
  readonly searches: SearchRecord[] = [];
  readonly failures: { transport: SipTransport; target: string; run: number; message: string }[] = [];
  readonly skipped: Skipped[] = [];
  readonly notes: string[] = [];

  add(record: SearchRecord): void {
    this.searches.push(record);
  }

  of(transport: SipTransport, target: string): SearchRecord[] {
    return this.searches.filter((r) => r.transport === transport && r.target === target);
  }

  values(transport: SipTransport, target: string, metric: Metric): number[] {
    return this.of(transport, target)
      .map((record) => metricOf(record, metric))
      .filter((value) => Number.isFinite(value));
  }

  median(transport: SipTransport, target: string, metric: Metric): number | undefined {
    const values = this.values(transport, target, metric);
    return values.length === 0 ? undefined : median(values);
  }

  /** The sessions' tick (sipp's clock resolution), when any response took at least one. */
  tickMs(): number | undefined {
    const ticks = this.searches
      .flatMap((r) => r.session.probes.map((p) => p.latency.tickMs))
      .filter((t) => Number.isFinite(t));
    return ticks.length === 0 ? undefined : Math.min(...ticks);
  }

  writeCsv(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const lines = [
      'transport,target,run,probe,rate,count,passed,successful,failed,retransmissions,out_of_call,wall_s,p50_ms,p99_ms,mean_ms,max_ms,proxy_cpu_us,generator_core_busy,proxy_core_busy,reasons',
    ];
    for (const record of this.searches) {
      record.session.probes.forEach((p, i) => {
        const l = p.latency;
        lines.push(
          [
            record.transport,
            record.target,
            record.run,
            i,
            p.rate,
            p.count,
            p.passed ? 1 : 0,
            p.successful,
            p.failed,
            p.retransmissions,
            p.outOfCall,
            p.wallSeconds.toFixed(3),
            l.p50,
            l.p99,
            l.mean.toFixed(3),
            l.max,
            p.proxyCpuUs.toFixed(1),
            p.generatorCoreBusy.toFixed(3),
            p.proxyCoreBusy.toFixed(3),
            `"${p.reasons.join('; ').replaceAll('"', "'")}"`,
          ].join(','),
        );
      });
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
}
