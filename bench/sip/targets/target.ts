/** What the benchmark needs from a SIP proxy under test, whichever implementation it is. */
import type { SipTransport } from '../options.js';

export interface TargetLaunch {
  /** Scratch directory for this target's configuration, logs and run files. */
  readonly workDir: string;
  /** CPUs the proxy is pinned to (taskset -c list). */
  readonly cpus: string;
}

export interface RunningTarget {
  /** 127.0.0.1:port, UDP and TCP: registrar and proxy. */
  readonly address: string;
  /** The proxy's processes now (for CPU accounting). */
  pids(): number[];
  stop(): Promise<void>;
}

export interface SipTarget {
  /** Column name in the report. */
  readonly name: string;
  /** What the generator sends to: a proxy (a process to start) or the UAS directly (the baseline). */
  readonly kind: 'proxy' | 'baseline';
  /** undefined when it can run here; otherwise why not (shown in the report). */
  problem(): string | undefined;
  /** Starts the proxy listening on UDP and TCP, ready for REGISTER and MESSAGE without authentication. */
  start(launch: TargetLaunch, transport: SipTransport): Promise<RunningTarget>;
}
