/**
 * CPU accounting for a probe: per-core busy share from /proc/stat (the machine is shared, so the
 * generator's and the proxy's cores are shown with whatever else ran on them), and the proxy's own
 * utime+stime from /proc/<pid>/stat.
 */
import { readFileSync } from 'node:fs';
import { cpuSeconds } from '../msrp/relays/proc.js';

export interface CoreTimes {
  readonly busy: number;
  readonly total: number;
}

/** Jiffies per core: `cpu0` → busy and total. */
export function readCoreTimes(): Map<number, CoreTimes> {
  const times = new Map<number, CoreTimes>();
  let text = '';
  try {
    text = readFileSync('/proc/stat', 'latin1');
  } catch {
    return times;
  }
  for (const line of text.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const fields = (match[2] ?? '').trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    times.set(Number(match[1]), { busy: total - idle, total });
  }
  return times;
}

/** Busy share of `core` between two readings (0–1), NaN when unknown. */
export function coreBusy(
  before: Map<number, CoreTimes>,
  after: Map<number, CoreTimes>,
  core: number,
): number {
  const a = before.get(core);
  const b = after.get(core);
  if (a === undefined || b === undefined || b.total <= a.total) return Number.NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

/** utime+stime of the processes, in seconds. */
export function processCpuSeconds(pids: readonly number[]): number {
  return cpuSeconds(pids);
}
