/** Samples of every run, their raw CSV, and the medians the report shows. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Transport } from './net.js';
import { median } from './stats.js';

export type SystemLabel = 'kamailio' | 'missive' | 'generator';

export interface Sample {
  readonly transport: Transport;
  readonly workload: string;
  readonly system: SystemLabel;
  readonly run: number;
  readonly warmup: boolean;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface Failure {
  readonly transport: Transport;
  readonly workload: string;
  readonly system: SystemLabel;
  readonly message: string;
}

export class Results {
  readonly samples: Sample[] = [];
  readonly failures: Failure[] = [];
  readonly notes: string[] = [];

  add(sample: Sample): void {
    this.samples.push(sample);
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
  }

  /** Values of one metric over the measured (non-warm-up) runs. */
  values(transport: Transport, workload: string, system: SystemLabel, metric: string): number[] {
    const values: number[] = [];
    for (const sample of this.samples) {
      if (sample.warmup || sample.transport !== transport || sample.workload !== workload) continue;
      const value = sample.system === system ? sample.metrics[metric] : undefined;
      if (value !== undefined && Number.isFinite(value)) values.push(value);
    }
    return values;
  }

  median(transport: Transport, workload: string, system: SystemLabel, metric: string): number | undefined {
    const values = this.values(transport, workload, system, metric);
    return values.length === 0 ? undefined : median(values);
  }

  failure(transport: Transport, workload: string, system: SystemLabel): Failure | undefined {
    return this.failures.find(
      (f) => f.transport === transport && f.workload === workload && f.system === system,
    );
  }

  writeCsv(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const lines = ['transport,workload,system,run,warmup,metric,value'];
    for (const sample of this.samples) {
      for (const [metric, value] of Object.entries(sample.metrics)) {
        lines.push(
          [
            sample.transport,
            sample.workload,
            sample.system,
            sample.run,
            sample.warmup ? 1 : 0,
            metric,
            value,
          ].join(','),
        );
      }
    }
    for (const failure of this.failures) {
      const message = `"${failure.message.replaceAll('"', "'")}"`;
      lines.push([failure.transport, failure.workload, failure.system, '', '', 'error', message].join(','));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
}
