/**
 * `missive serve` as a real process for the interop tests: a fresh data directory whose store already holds the
 * given subscribers, free ports for SIP (UDP and TCP), SIP over TLS and WebSocket, and the MSRP relay; resolves
 * once every listener has logged "SIP listening". stop() sends SIGTERM and waits for the exit; a server still
 * running when the test process exits (a test that never reached its after()) is killed then.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { missiveArgs, REPO_ROOT } from './node-program.js';
import { freePorts } from './ports.js';
import { PROCESS_START_MS, waitFor } from './wait.js';

const LISTENERS = 4;

export interface MissiveOptions {
  readonly domain: string;
  /** [user, password] pairs created in the store before the start. */
  readonly users: readonly (readonly [string, string])[];
  readonly trustedPeers?: readonly string[];
  /** Ports to use instead of free ones (a peer's configuration may have to name them first). */
  readonly ports?: Partial<MissivePorts>;
  readonly startTimeoutMs?: number;
  /** More `missive serve` options. */
  readonly args?: readonly string[];
  /** More `missive serve` options that name the ports chosen (an instance's own address, for one). */
  readonly argsFor?: (ports: MissivePorts) => readonly string[];
  /**
   * The store's URI (`--store`), e.g. `cassandra://127.0.0.1:9042/<keyspace>`; `users` are added there.
   * Default: SQLite in the data directory.
   */
  readonly store?: string;
  /** Start on this existing data directory (a restart: `users` are not added again). */
  readonly dataDir?: string;
  /** false: no --domain option (the domains come from a configuration file that a reload may change). */
  readonly domainOption?: boolean;
  /** Environment variables for the server, over this process's (`undefined` removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface MissivePorts {
  readonly sip: number;
  readonly sips: number;
  readonly ws: number;
  readonly msrp: number;
}

export class MissiveProcess {
  #output = '';
  readonly #exited: Promise<number | null>;
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  };
  readonly #child: ChildProcess;

  private constructor(
    child: ChildProcess,
    readonly dataDir: string,
    readonly ports: MissivePorts,
    /** The store's URI (SQLite in the data directory unless `store` named another). */
    readonly storeUri: string,
  ) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', resolve));
    process.once('exit', this.#killOnExit);
    void this.#exited.then(() => process.off('exit', this.#killOnExit));
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** The self-signed certificate the server made (a CA file for TLS clients). */
  get certificate(): string {
    return join(this.dataDir, 'self-signed.crt');
  }

  /** The server's process id (for /proc/<pid>/status). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get output(): string {
    return this.#output;
  }

  static async start(options: MissiveOptions): Promise<MissiveProcess> {
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'missive-serve-')));
    if (options.dataDir === undefined) {
      const store = await openStore(options.store ?? sqliteIn(dataDir));
      for (const [user, password] of options.users)
        await store.subscribers.add(user, options.domain, password);
      await store.close();
    }
    // A free port can still be taken by another test's peer between the check and the bind: then the
    // start is tried again on other free ports (never when the test chose the ports itself).
    for (let attempt = 1; ; attempt++) {
      try {
        return await MissiveProcess.#startOn(dataDir, options);
      } catch (error) {
        const portTaken = error instanceof Error && error.message.includes('the port is already in use');
        if (!portTaken || options.ports !== undefined || attempt === 3) {
          if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  static async #startOn(dataDir: string, options: MissiveOptions): Promise<MissiveProcess> {
    const free = await freePorts(4);
    const sip = options.ports?.sip ?? free[0] ?? 0;
    const sips = options.ports?.sips ?? free[1] ?? 0;
    const ws = options.ports?.ws ?? free[2] ?? 0;
    const msrp = options.ports?.msrp ?? free[3] ?? 0;
    const args = missiveArgs([
      'serve',
      '--data-dir',
      dataDir,
      ...(options.domainOption === false ? [] : ['--domain', options.domain]),
      '--sip-port',
      String(sip),
      '--sips-port',
      String(sips),
      '--ws-port',
      String(ws),
      '--msrp-port',
      String(msrp),
      ...(options.trustedPeers ?? []).flatMap((peer) => ['--trusted-peer', peer]),
      ...(options.store === undefined ? [] : ['--store', options.store]),
      ...(options.args ?? []),
      ...(options.argsFor?.({ sip, sips, ws, msrp }) ?? []),
    ]);
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const server = new MissiveProcess(
      child,
      dataDir,
      { sip, sips, ws, msrp },
      options.store ?? sqliteIn(dataDir),
    );
    await server.#ready(options.startTimeoutMs ?? PROCESS_START_MS);
    return server;
  }

  async #ready(timeoutMs: number): Promise<void> {
    try {
      await waitFor(
        () => {
          if (this.#child.exitCode !== null)
            throw new Error(`it exited with ${String(this.#child.exitCode)}`);
          return (this.#output.match(/"msg":"SIP listening"/g) ?? []).length >= LISTENERS;
        },
        'every listener to log "SIP listening"',
        { timeoutMs, intervalMs: 50 },
      );
    } catch (error) {
      await this.shutdown();
      throw new Error(`missive serve did not start (${String(error)}):\n${this.#output.slice(-4000)}`);
    }
  }

  /** Sends a signal (SIGHUP: reload; SIGTERM: graceful stop). */
  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** The exit code once the process has exited (null: ended by a signal). */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** kill -9: no shutdown at all; the data directory is kept (start again with `dataDir`). */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGKILL');
      await this.#exited;
    }
  }

  /** SIGTERM, a clean shutdown, waited for; the data directory is kept (start again with `dataDir`). */
  async shutdown(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function sqliteIn(dataDir: string): string {
  return `sqlite://${join(dataDir, 'missive.db')}`;
}
