/**
 * Response-time summary of one probe from sipp's -trace_rtt values. sipp reads a coarse clock: its
 * values are multiples of a tick (4 ms on the machines this was written on), so p50/p99 are that coarse;
 * the mean is not, because where a response falls between ticks is uniformly spread.
 */
import { percentile } from '../msrp/stats.js';

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
  /** The clock tick seen in the values (ms), NaN when every value was 0. */
  readonly tickMs: number;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) {
    return { p50: Number.NaN, p99: Number.NaN, mean: Number.NaN, max: Number.NaN, tickMs: Number.NaN };
  }
  let sum = 0;
  let max = 0;
  let tick = 0;
  for (const value of values) {
    sum += value;
    max = Math.max(max, value);
    const ms = Math.round(value);
    if (ms > 0) tick = gcd(tick, ms);
  }
  return {
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    mean: sum / values.length,
    max,
    tickMs: tick === 0 ? Number.NaN : tick,
  };
}
