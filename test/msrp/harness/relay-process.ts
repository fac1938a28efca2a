// Runs the relay as a real process: writes config.ini (msrprelay format), spawns
// `missive relay --config-file …` (test/support/node-program.ts), waits for the "MSRP relay listening" log line.
// The relay logs pino JSON lines on stdout; they are kept (parsed) so that tests can wait for a line, e.g.
// after a SIGHUP reload, or read startup errors on stderr.
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCerts } from './certs.js';
import { readRssBytes } from './rss.js';
import { missiveArgs, REPO_ROOT } from '../../support/node-program.js';
import { PROCESS_START_MS, withTimeout } from '../../support/wait.js';

/** Option values of one section; null leaves a harness default out of the file. */
export type Settings = Readonly<Record<string, string | number | null>>;

export interface ConfigOptions {
  readonly tls: boolean;
  /** [Relay] settings that override the harness defaults. */
  readonly settings?: Settings;
  /** The [Memory] section, replacing the default alice@example.com and bob@example.com (password 1234). */
  readonly memory?: Readonly<Record<string, string>>;
  /** Further sections, e.g. `{ Database: { uri: … } }`. */
  readonly sections?: Readonly<Record<string, Settings>>;
}

export interface RelayOptions extends ConfigOptions {
  readonly startTimeoutMs?: number;
  /** The whole config.ini, instead of one generated from the options above. */
  readonly configText?: string;
  /** Run with `--config-file <this>` and write no config.ini (e.g. a path that cannot be read). */
  readonly configFile?: string;
  /** More command-line arguments after `relay --config-file <file>`, e.g. `--runtime-dir`. */
  readonly args?: readonly string[];
}

/** One pino line of the relay's stdout. */
export type LogEntry = Readonly<Record<string, unknown>>;

/** The outcome of a SIGHUP: the "Configuration reloaded" line, or the "Error reloading …" message. */
export type ReloadResult =
  | { readonly ok: true; readonly entry: LogEntry }
  | { readonly ok: false; readonly message: string; readonly entry: LogEntry };

const MAX_OUTPUT = 1 << 20;
const MAX_LOG_ENTRIES = 20_000;

export class RelayProcess {
  #out = '';
  #err = '';
  readonly #exited: Promise<number | null>;
  exitCode: number | null | undefined;
  #listening: { host: string; port: number; hostname: string | undefined } | undefined;
  readonly #entries: LogEntry[] = [];
  /** Entries dropped from the front of `entries` (so that log positions stay valid). */
  #dropped = 0;
  readonly #logged = new EventEmitter();
  readonly #child: ChildProcess;
  readonly #dir: string;

  private constructor(
    child: ChildProcess,
    dir: string,
    readonly tls: boolean,
    /** The config.ini the relay reads (rewrite it, then reload()). */
    readonly configPath: string,
  ) {
    this.#child = child;
    this.#dir = dir;
    this.#logged.setMaxListeners(0);
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#out = (this.#out + text).slice(-MAX_OUTPUT);
      partial += text;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        this.#onLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#out = (this.#out + text).slice(-MAX_OUTPUT);
      this.#err = (this.#err + text).slice(-MAX_OUTPUT);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code;
        this.#logged.emit('change');
        resolve(code);
      });
    });
  }

  /** Spawns the relay and waits until it listens; a relay that does not start fails with its output. */
  static async start(opts: RelayOptions): Promise<RelayProcess> {
    const relay = await RelayProcess.spawn(opts);
    try {
      relay.#listening = await withTimeout(
        relay.#waitListening(),
        opts.startTimeoutMs ?? PROCESS_START_MS,
        'the relay to listen',
      );
    } catch (err) {
      await relay.stop();
      throw new Error(
        `relay did not start: ${(err as Error).message}\n--- relay output ---\n${relay.output()}`,
      );
    }
    return relay;
  }

  /** Spawns the relay without waiting for anything (for startup failures: see waitExit()). */
  static async spawn(opts: RelayOptions): Promise<RelayProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-relay-'));
    const configPath = opts.configFile ?? join(dir, 'config.ini');
    if (opts.configFile === undefined) writeFileSync(configPath, opts.configText ?? (await configText(opts)));
    const child = spawn(
      process.execPath,
      missiveArgs(['relay', '--config-file', configPath, ...(opts.args ?? [])]),
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new RelayProcess(child, dir, opts.tls, configPath);
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error('relay has no pid');
    return this.#child.pid;
  }

  get port(): number {
    if (!this.#listening) throw new Error('relay is not listening');
    return this.#listening.port;
  }

  get scheme(): 'msrp' | 'msrps' {
    return this.tls ? 'msrps' : 'msrp';
  }

  /**
   * The host the relay puts in its URIs, as it logged it at startup (hostname = localhost in the harness's
   * TLS mode, the bind address otherwise).
   */
  get uriHost(): string {
    return this.#listening?.hostname ?? (this.tls ? 'localhost' : '127.0.0.1');
  }

  /** The relay's own URI, with a session id when given: `<scheme>://<host>:<port>[/<sid>];tcp`. */
  uri(sessionId?: string): string {
    const session = sessionId === undefined ? '' : `/${sessionId}`;
    return `${this.scheme}://${this.uriHost}:${this.port}${session};tcp`;
  }

  /** The temporary directory of this relay (removed by stop()). */
  get directory(): string {
    return this.#dir;
  }

  /** stdout and stderr, interleaved. */
  output(): string {
    return this.#out;
  }

  stderr(): string {
    return this.#err;
  }

  /** The JSON log lines written so far. */
  logs(): readonly LogEntry[] {
    return this.#entries;
  }

  /** The JSON log lines written since `position` (a logPosition). */
  logsSince(position: number): readonly LogEntry[] {
    return this.#entries.slice(Math.max(0, position - this.#dropped));
  }

  /** A position in the log: waitForLog(…, { from }) only looks at lines written after it. */
  get logPosition(): number {
    return this.#dropped + this.#entries.length;
  }

  /** The first log line from `from` on that `match` accepts; rejects on timeout or when the relay exits. */
  waitForLog(
    match: (entry: LogEntry) => boolean,
    opts: { readonly timeoutMs?: number; readonly from?: number; readonly what?: string } = {},
  ): Promise<LogEntry> {
    const what = opts.what ?? 'a log line';
    let next = Math.max(0, (opts.from ?? 0) - this.#dropped);
    return new Promise<LogEntry>((resolve, reject) => {
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        this.#logged.off('change', check);
        fn();
      };
      const check = (): void => {
        for (; next < this.#entries.length; next++) {
          const entry = this.#entries[next];
          if (entry !== undefined && match(entry)) {
            finish(() => {
              resolve(entry);
            });
            return;
          }
        }
        if (!this.running) {
          finish(() => {
            reject(new Error(`the relay exited (status ${this.exitCode}) before ${what}:\n${this.output()}`));
          });
        }
      };
      const timer = setTimeout(() => {
        finish(() => {
          reject(
            new Error(
              `timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${what}; relay output:\n${this.output()}`,
            ),
          );
        });
      }, opts.timeoutMs ?? 10_000);
      this.#logged.on('change', check);
      check();
    });
  }

  /** Rewrites config.ini, from options like start()'s or as text; takes effect at the next reload(). */
  async writeConfig(config: ConfigOptions | string): Promise<void> {
    writeFileSync(this.configPath, typeof config === 'string' ? config : await configText(config));
  }

  /**
   * SIGHUP, then the relay's verdict: "Configuration reloaded" (the listening port is updated from it) or
   * "Error reloading configuration file: …".
   */
  async reload(timeoutMs = 10_000): Promise<ReloadResult> {
    const from = this.logPosition;
    this.signal('SIGHUP');
    const entry = await this.waitForLog(
      (e) =>
        e.msg === 'Configuration reloaded' ||
        (typeof e.msg === 'string' && e.msg.startsWith('Error reloading configuration file')),
      { from, timeoutMs, what: 'the reload to finish' },
    );
    if (entry.msg !== 'Configuration reloaded') return { ok: false, message: String(entry.msg), entry };
    if (this.#listening && typeof entry.port === 'number') {
      this.#listening = { ...this.#listening, port: entry.port };
    }
    return { ok: true, entry };
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.running) throw new Error(`cannot send ${signal}: the relay exited (status ${this.exitCode})`);
    this.#child.kill(signal);
  }

  /** The exit status, once the relay exits by itself (fails after timeoutMs). */
  waitExit(timeoutMs: number): Promise<number | null> {
    return withTimeout(this.#exited, timeoutMs, 'the relay to exit').catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; relay output:\n${this.output()}`);
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  rssBytes(): number {
    return readRssBytes(this.pid);
  }

  /** SIGTERM, then SIGKILL after 3 s; removes the temp dir. */
  async stop(): Promise<void> {
    if (this.running) {
      this.#child.kill('SIGTERM');
      try {
        await withTimeout(this.#exited, 3000, 'the relay to exit');
      } catch {
        this.#child.kill('SIGKILL');
        await withTimeout(this.#exited, 3000, 'the relay to be killed').catch(() => undefined);
      }
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    this.#entries.push(parsed as LogEntry);
    if (this.#entries.length > MAX_LOG_ENTRIES) {
      this.#entries.shift();
      this.#dropped++;
    }
    this.#logged.emit('change');
  }

  async #waitListening(): Promise<{ host: string; port: number; hostname: string | undefined }> {
    const entry = await this.waitForLog(
      (e) => e.msg === 'MSRP relay listening' && typeof e.port === 'number',
      {
        timeoutMs: 60_000, // bounded by start()'s own timeout
        what: 'the relay to listen',
      },
    );
    return {
      host: typeof entry.host === 'string' ? entry.host : '127.0.0.1',
      port: entry.port as number,
      hostname: typeof entry.hostname === 'string' ? entry.hostname : undefined,
    };
  }
}

/** The text of a config.ini: harness defaults, `settings` over them, then [Memory] and other sections. */
export async function configText(opts: ConfigOptions): Promise<string> {
  const relay: Record<string, string | number | null> = {
    address: '127.0.0.1:0',
    debug_notls: opts.tls ? 'no' : 'yes',
    backend: 'memory',
    log_level: 'warning',
  };
  if (opts.tls) {
    const certs = await getCerts();
    Object.assign(relay, { certificate: certs.certPath, key: certs.keyPath, hostname: 'localhost' });
  }
  Object.assign(relay, opts.settings ?? {});
  const memory = opts.memory ?? { 'alice@example.com': '1234', 'bob@example.com': '1234' };
  const sections: Record<string, Settings> = { Relay: relay, Memory: memory, ...(opts.sections ?? {}) };
  const lines: string[] = [];
  for (const [name, values] of Object.entries(sections)) {
    lines.push(`[${name}]`);
    for (const [k, v] of Object.entries(values)) if (v !== null) lines.push(`${k} = ${v}`);
    lines.push('');
  }
  return lines.join('\n');
}
