// Runs the relay as a real process: writes config.ini (msrprelay format), spawns
// `node --import tsx src/cli/main.ts relay --config-file …`, waits for the "MSRP relay listening" log line.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getCerts } from './certs.js';
import { readRssBytes } from './rss.js';
import { withTimeout } from './wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type Settings = Readonly<Record<string, string | number>>;

export interface RelayOptions {
  readonly tls: boolean;
  /** [Relay] settings that override the harness defaults. */
  readonly settings?: Settings;
  readonly startTimeoutMs?: number;
}

const MAX_OUTPUT = 1 << 20;

export class RelayProcess {
  private out = '';
  private exited: Promise<number | null>;
  exitCode: number | null | undefined;
  private listening: { host: string; port: number } | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly tls: boolean,
  ) {
    const collect = (chunk: Buffer): void => {
      this.out = (this.out + chunk.toString('utf8')).slice(-MAX_OUTPUT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
  }

  static async start(opts: RelayOptions): Promise<RelayProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-relay-'));
    const configPath = join(dir, 'config.ini');
    writeFileSync(configPath, await configText(opts));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'relay', '--config-file', configPath],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const relay = new RelayProcess(child, dir, opts.tls);
    try {
      relay.listening = await withTimeout(
        relay.waitListening(),
        opts.startTimeoutMs ?? 20_000,
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

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('relay has no pid');
    return this.child.pid;
  }

  get port(): number {
    if (!this.listening) throw new Error('relay is not listening');
    return this.listening.port;
  }

  get scheme(): 'msrp' | 'msrps' {
    return this.tls ? 'msrps' : 'msrp';
  }

  /** The host the relay puts in its URIs (hostname = localhost in TLS mode, the bind address otherwise). */
  get uriHost(): string {
    return this.tls ? 'localhost' : '127.0.0.1';
  }

  /** The relay's own URI, with a session id when given: `<scheme>://<host>:<port>[/<sid>];tcp`. */
  uri(sessionId?: string): string {
    const session = sessionId === undefined ? '' : `/${sessionId}`;
    return `${this.scheme}://${this.uriHost}:${this.port}${session};tcp`;
  }

  output(): string {
    return this.out;
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
      this.child.kill('SIGTERM');
      try {
        await withTimeout(this.exited, 3000, 'the relay to exit');
      } catch {
        this.child.kill('SIGKILL');
        await withTimeout(this.exited, 3000, 'the relay to be killed').catch(() => undefined);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitListening(): Promise<{ host: string; port: number }> {
    const stdout = this.child.stdout;
    if (!stdout) throw new Error('no stdout');
    let buffered = '';
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const found = parseListening(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (found) {
            stdout.off('data', onData);
            resolve(found);
            return;
          }
        }
      };
      stdout.on('data', onData);
      void this.exited.then((code) => {
        reject(new Error(`relay exited with status ${code} before listening`));
      });
    });
  }
}

function parseListening(line: string): { host: string; port: number } | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  if (e.msg !== 'MSRP relay listening' || typeof e.port !== 'number') return undefined;
  return { host: typeof e.host === 'string' ? e.host : '127.0.0.1', port: e.port };
}

async function configText(opts: RelayOptions): Promise<string> {
  const relay: Record<string, string | number> = {
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
  const lines = ['[Relay]', ...Object.entries(relay).map(([k, v]) => `${k} = ${v}`), ''];
  lines.push('[Memory]', 'alice@example.com = 1234', 'bob@example.com = 1234', '');
  return lines.join('\n');
}
