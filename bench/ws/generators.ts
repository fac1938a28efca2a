/**
 * The load-generator processes of `npm run bench:ws`: one forked load-worker.ts per loopback source address
 * (127.0.0.2, 127.0.0.3, …: each address has its own ~28,000 ephemeral ports towards the server's port),
 * pinned to the core the server does not use, with its open-files limit raised in the spawning shell.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConnectReport, SendCommand, SendReport, WorkerCommand } from './load-protocol.js';

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function sourceAddress(index: number): string {
  return `127.0.0.${String(2 + index)}`;
}

class Generator {
  readonly #child: ChildProcess;

  constructor(core: number) {
    this.#child = spawn(
      'sh',
      [
        '-c',
        'ulimit -n "$(ulimit -Hn)"; exec taskset -c "$0" "$@"',
        String(core),
        process.execPath,
        '--import',
        'tsx',
        WORKER,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    process.once('exit', () => this.#child.kill('SIGKILL'));
  }

  ask<T>(command: WorkerCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => {
        reject(new Error(`a load generator exited (${String(code)})`));
      };
      this.#child.once('exit', onExit);
      this.#child.once('message', (reply) => {
        this.#child.off('exit', onExit);
        resolve(reply as T);
      });
      this.#child.send(command);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    try {
      await this.ask({ cmd: 'close' });
    } catch {
      // exited already
    }
    await exited;
    clearTimeout(timer);
  }
}

export interface ConnectResult {
  readonly registered: number;
  readonly failures: Record<string, number>;
  readonly seconds: number;
}

export class GeneratorPool {
  readonly #generators: Generator[];

  constructor(count: number, core: number) {
    this.#generators = Array.from({ length: count }, () => new Generator(core));
  }

  /** Opens `total` registered connections, split over the generators, subscribers 0…total−1. */
  async connect(url: string, domain: string, total: number): Promise<ConnectResult> {
    const n = this.#generators.length;
    const reports = await Promise.all(
      this.#generators.map((generator, i) => {
        const first = Math.floor((total * i) / n);
        const count = Math.floor((total * (i + 1)) / n) - first;
        return generator.ask<ConnectReport>({
          cmd: 'connect',
          url,
          localAddress: sourceAddress(i),
          domain,
          first,
          count,
          concurrency: 64,
          timeoutMs: 60_000,
        });
      }),
    );
    const failures: Record<string, number> = {};
    for (const report of reports) {
      for (const [reason, count] of Object.entries(report.failures))
        failures[reason] = (failures[reason] ?? 0) + count;
    }
    return {
      registered: reports.reduce((sum, r) => sum + r.registered, 0),
      failures,
      seconds: Math.max(...reports.map((r) => r.seconds)),
    };
  }

  /** Every generator sends its share of `rate`; their reports. */
  send(rate: number, warmupSeconds: number, seconds: number): Promise<SendReport[]> {
    const share = rate / this.#generators.length;
    const command: SendCommand = { cmd: 'send', rate: share, warmupSeconds, seconds };
    return Promise.all(this.#generators.map((generator) => generator.ask<SendReport>(command)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#generators.map((generator) => generator.stop()));
  }
}
