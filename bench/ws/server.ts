/**
 * The `missive serve` under test in `npm run bench:ws`: its own data directory and store (bench-store.ts,
 * which already holds the benchmark's subscribers), pinned to one core, its open-files limit raised to the hard
 * limit in the spawning shell (`ulimit -n`), the limits that would refuse a benchmark (connections per
 * source, in total, failed logins per source) raised for the run, and server-probe.ts preloaded so that its
 * memory after a full GC can be asked for over the IPC channel. Ready once GET /health answers 200.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../test/support/ports.js';
import type { ProbeMemory, ProbeRequest } from './server-probe.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How the server runs: `built` is what `missive` is in production (tsc's output in dist/, `node
 * dist/src/cli/main.js`); `tsx` runs the sources through tsx as the tests do, whose transform gives every
 * function a `name` property of its own (esbuild's keepNames), about 256 bytes per closure.
 */
export type ServerBuild = 'built' | 'tsx';

function serveCommand(build: ServerBuild): string[] {
  if (build === 'tsx') {
    const probe = join(REPO_ROOT, 'bench', 'ws', 'server-probe.ts');
    return ['--import', 'tsx', '--import', probe, 'src/cli/main.ts'];
  }
  const probe = join(REPO_ROOT, 'dist', 'bench', 'ws', 'server-probe.js');
  return ['--import', probe, join('dist', 'src', 'cli', 'main.js')];
}

export interface ServerOptions {
  readonly dataDir: string;
  /** `--store`: the benchmark's SQLite file or PostgreSQL schema. */
  readonly store: string;
  readonly domain: string;
  /** Connections the run will open: the connection limits are set above it. */
  readonly connections: number;
  readonly core: number;
  readonly logFile: string;
  readonly build: ServerBuild;
}

/** The `missive serve` options the benchmark raises, as the report prints them. */
export function raisedLimits(connections: number): string[] {
  return [
    '--max-connections',
    String(connections + 1000),
    '--max-connections-per-source',
    String(connections),
    '--login-source-max-failures',
    '1000000',
    '--log-level',
    'warn',
  ];
}

export class BenchServer {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly url: string;

  private constructor(child: ChildProcess, wsPort: number) {
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    this.url = `ws://127.0.0.1:${String(wsPort)}/webrtcgateway/ws`;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  static async start(options: ServerOptions): Promise<BenchServer> {
    const [sip = 0, sips = 0, ws = 0, msrp = 0] = await freePorts(4);
    const serve = [
      process.execPath,
      '--expose-gc',
      ...serveCommand(options.build),
      'serve',
      '--data-dir',
      options.dataDir,
      '--store',
      options.store,
      '--domain',
      options.domain,
      '--sip-port',
      String(sip),
      '--sips-port',
      String(sips),
      '--ws-port',
      String(ws),
      '--msrp-port',
      String(msrp),
      ...raisedLimits(options.connections),
    ];
    const log = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      // The soft limit up to the hard one (a container may not allow more), then the server pinned.
      child = spawn(
        'sh',
        ['-c', 'ulimit -n "$(ulimit -Hn)"; exec taskset -c "$0" "$@"', String(options.core), ...serve],
        { cwd: REPO_ROOT, stdio: ['ignore', log, log, 'ipc'] },
      );
    } finally {
      closeSync(log);
    }
    const server = new BenchServer(child, ws);
    process.once('exit', () => child.kill('SIGKILL'));
    await server.#ready(ws, 60_000);
    return server;
  }

  /** Memory after two full GCs, and open file descriptors (server-probe.ts). */
  memory(): Promise<ProbeMemory> {
    return this.#ask({ probe: 'memory' });
  }

  /** Writes a heap snapshot of the server into `file`. */
  async snapshot(file: string): Promise<void> {
    await this.#ask({ probe: 'snapshot', file });
  }

  /** Open-files limit of the server's process (soft, which the shell raised to the hard one). */
  openFilesLimit(): number {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${String(this.pid)}/limits`, 'utf8'));
    return line?.[1] === 'unlimited' ? 1 << 30 : Number(line?.[1] ?? 1024);
  }

  /** CPU seconds (user + system) the server has used so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${String(this.pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /**
   * The server's main thread (the event loop): ns on a CPU and ns runnable but waiting for one
   * (/proc/PID/schedstat); on a shared machine the second says how much of a delay was other jobs'.
   */
  schedule(): { readonly runningNs: number; readonly waitingNs: number } {
    const [running = 0, waiting = 0] = readFileSync(`/proc/${String(this.pid)}/schedstat`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    return { runningNs: running, waitingNs: waiting };
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 15_000);
      await this.#exited;
      clearTimeout(timer);
    }
  }

  #ask<T>(request: ProbeRequest): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (): void => {
        reject(new Error('missive serve exited'));
      };
      this.#child.once('exit', onExit);
      this.#child.once('message', (reply) => {
        this.#child.off('exit', onExit);
        resolve(reply as T);
      });
      this.#child.send(request);
    });
  }

  async #ready(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#child.exitCode !== null) throw new Error('missive serve exited at start (see its log)');
      try {
        const response = await fetch(`http://127.0.0.1:${String(port)}/health`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error('missive serve did not become ready within 60 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export function serverLogFile(workDir: string, label: string): string {
  return join(workDir, `missive-${label}.log`);
}
