/** The machine facts the report carries (the figures mean little without them). */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
  readonly kamailio: string;
  readonly memoryGiB: number;
}

export function machineInfo(kamailio: string): MachineInfo {
  let os = 'unknown';
  try {
    os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // not Linux-like
  }
  let memoryGiB = 0;
  try {
    const kib = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
    memoryGiB = Math.round((kib / 1024 / 1024) * 10) / 10;
  } catch {
    // no /proc
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    kernel: release(),
    os,
    node: process.version,
    kamailio,
    memoryGiB,
  };
}

export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
}

/** Soft and hard limits on open files of this process. */
export function fdLimits(): { soft: number; hard: number } {
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const parse = (text: string | undefined): number =>
      text === 'unlimited' ? 1 << 30 : Number(text ?? 1024);
    return { soft: parse(line?.[1]), hard: parse(line?.[2]) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}
