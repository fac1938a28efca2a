// Resident set size of a process, from /proc/<pid>/status (VmRSS), and a periodic sampler.
import { readFileSync } from 'node:fs';

export const MiB = 1 << 20;

export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** Samples RSS every `intervalMs` until stopped; `peak` is the largest sample. */
export class RssSampler {
  readonly baseline: number;
  peak: number;
  readonly #timer: NodeJS.Timeout;
  readonly #pid: number;

  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.baseline = readRssBytes(pid);
    this.peak = this.baseline;
    this.#timer = setInterval(() => {
      this.sample();
    }, intervalMs);
  }

  /** Peak growth over the baseline so far, in bytes. */
  get growth(): number {
    return this.peak - this.baseline;
  }

  sample(): void {
    try {
      this.peak = Math.max(this.peak, readRssBytes(this.#pid));
    } catch {
      // the process is gone; the test notices that elsewhere
    }
  }

  stop(): void {
    this.sample();
    clearInterval(this.#timer);
  }
}
