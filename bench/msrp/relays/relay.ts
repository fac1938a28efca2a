/** What the benchmark needs from a relay under test, whichever implementation it is. */
import type { ChildProcess } from 'node:child_process';
import type { Credentials } from '../client-a.js';
import { type Transport, waitForPort } from '../net.js';
import { cpuSeconds, processTree, pssBytes, stopProcess } from './proc.js';

export type SystemName = 'kamailio' | 'missive';

export interface RelayLaunch {
  readonly transport: Transport;
  /** Folder for configuration, logs and run files of this relay. */
  readonly workDir: string;
  /** Absolute paths of a self-signed key and certificate (CN=localhost), used for TLS. */
  readonly keyFile: string;
  readonly certFile: string;
  /** The core the relay is pinned to. */
  readonly core: number;
  /** Open-files limit the relay may use (Kamailio sets its own from its config). */
  readonly fdLimit: number;
  /** Extra `node` options for missive (e.g. --cpu-prof); ignored by Kamailio. */
  readonly nodeOptions?: readonly string[];
  /** Another build of missive's CLI (`dist/src/cli/main.js` of a copy), for side-by-side comparisons. */
  readonly missiveMain?: string;
  /** More `[Relay]` lines of missive's config.ini (`name = value`), e.g. share_next_hop_connections. */
  readonly missiveSettings?: readonly string[];
}

export const DOMAIN = 'example.com';
export const PASSWORD = 'secret';
/** Users configured in missive's [Memory] section; Kamailio accepts any user with PASSWORD. */
export const USER_COUNT = 100;

export function credentialsFor(index: number): Credentials {
  return { username: `user${index % USER_COUNT}`, password: PASSWORD, domain: DOMAIN };
}

export class RunningRelay {
  readonly #child: ChildProcess;

  constructor(
    readonly system: SystemName,
    readonly transport: Transport,
    readonly port: number,
    readonly logFile: string,
    child: ChildProcess,
  ) {
    this.#child = child;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The relay's processes now (Kamailio: main, TCP main and workers). */
  pids(): number[] {
    return this.pid === 0 ? [] : processTree(this.pid);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pids());
  }

  memoryBytes(): number {
    return pssBytes(this.pids());
  }

  /** Resolves when the relay accepts connections; rejects if it exits first or after `timeoutMs`. */
  async waitUntilListening(timeoutMs: number): Promise<void> {
    const child = this.#child;
    let onExit: (() => void) | undefined;
    const exited = new Promise<never>((_resolve, reject) => {
      onExit = () => {
        reject(new Error(`it exited with ${String(child.exitCode ?? child.signalCode)}`));
      };
      child.once('exit', onExit);
    });
    try {
      await Promise.race([waitForPort(this.port, timeoutMs), exited]);
    } finally {
      if (onExit !== undefined) child.off('exit', onExit);
    }
  }

  stop(): Promise<void> {
    return stopProcess(this.#child, 5000);
  }
}
