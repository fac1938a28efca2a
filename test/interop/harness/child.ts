/**
 * A peer as a child process: its own process group (so that Kamailio's forked workers go with it), output
 * appended to a log file or piped, every wait bounded, and a stop that escalates from a polite signal to
 * SIGKILL. A peer left running when the test process exits is killed by the exit hook it installs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

export interface SpawnOptions {
  readonly cwd?: string;
  /** stdout and stderr are appended here; without it they are piped (see `stdout`/`stderr`). */
  readonly logFile?: string;
  /** Pipe stdin (baresip reads its commands there); otherwise stdin is /dev/null. */
  readonly stdin?: boolean;
  /** Pin the process (and what it forks) to these CPUs with `taskset -c`. */
  readonly cpus?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class Child {
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  readonly #killOnExit = (): void => {
    this.#signalGroup('SIGKILL');
  };
  readonly #child: ChildProcess;

  private constructor(
    child: ChildProcess,
    readonly command: string,
    readonly logFile: string | undefined,
  ) {
    this.#child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        process.off('exit', this.#killOnExit);
        resolve(this.#exit);
      });
      child.once('error', () => {
        // spawn failed (ENOENT): there will be no 'exit'.
        this.#exit ??= { code: -1, signal: null };
        process.off('exit', this.#killOnExit);
        resolve(this.#exit);
      });
    });
    process.once('exit', this.#killOnExit);
  }

  static spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
    const argv =
      options.cpus === undefined ? [command, ...args] : ['taskset', '-c', options.cpus, command, ...args];
    const [file = command, ...rest] = argv;
    const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
    try {
      const output = log ?? 'pipe';
      const child = spawn(file, rest, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true, // a process group of its own: stop() signals the group by its id
        stdio: [options.stdin === true ? 'pipe' : 'ignore', output, output],
      });
      return new Child(child, [command, ...args].join(' '), options.logFile);
    } finally {
      if (log !== undefined) closeSync(log); // the child has its own copy
    }
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get exitStatus(): Exit | undefined {
    return this.#exit;
  }

  get stdin(): Writable | null {
    return this.#child.stdin;
  }

  get stdout(): Readable | null {
    return this.#child.stdout;
  }

  get stderr(): Readable | null {
    return this.#child.stderr;
  }

  /** Sends a signal to the process alone (sipp: SIGUSR1 = finish the calls in progress, then exit). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      this.#child.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Waits for the exit; undefined when it did not come within `ms`. */
  async waitExit(ms: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        resolve(undefined);
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `signal` to the whole group, SIGKILL to the group after `graceMs`. Resolves with the exit status
   * (a process killed here reports its signal).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<Exit> {
    if (this.running) {
      this.#signalGroup(signal);
      if ((await this.waitExit(graceMs)) === undefined) this.#signalGroup('SIGKILL');
    }
    const exit = await this.exited;
    // Workers of a group leader that died first (Kamailio's children) must not outlive it.
    this.#signalGroup('SIGKILL');
    return exit;
  }

  /** The last `bytes` of the log file (for assertion messages). */
  logTail(bytes = 4000): string {
    if (this.logFile === undefined) return '';
    let fd: number | undefined;
    try {
      fd = openSync(this.logFile, 'r');
      const size = fstatSync(fd).size;
      const length = Math.min(size, bytes);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('latin1');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  #signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is empty
    }
  }
}
