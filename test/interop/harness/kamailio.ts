/**
 * Kamailio (Debian 5.6) in the foreground (-DD -E: no daemon, log to stderr → a file), from a config
 * template with @PORT@ (UDP and TCP), @TLS_PORT@, @TLS_CFG@ and @WORKDIR@ filled in, its run files in a
 * temporary directory. It is ready when it answers an OPTIONS on UDP and on TCP.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from './child.js';
import { KAMAILIO_CONFIG_DIR, makeWorkDir, removeWorkDir } from './paths.js';
import { freePorts, LOOPBACK } from '../../support/ports.js';
import { waitForSip } from './sip-ping.js';
import { kamailioModulesDir, TOOL_PATHS } from './tools.js';
import { PROCESS_START_MS } from '../../support/wait.js';

/** The test registrar/proxy: digest auth (password "secret"), Record-Route on INVITE (see the file). */
export const PEERS_CONFIG = join(KAMAILIO_CONFIG_DIR, 'peers.cfg');

export interface KamailioOptions {
  /** Config template; test/interop/kamailio/peers.cfg by default. */
  readonly config?: string;
  /** Preprocessor defines (-A); WITH_TLS is added when `tls` is given. */
  readonly defines?: readonly string[];
  /** Listen on TLS too, with these PEM files. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** The UDP and TCP port the config listens on, when it sets it itself (no @PORT@); default a free one. */
  readonly port?: number;
  /** More @NAME@ → value substitutions. */
  readonly replacements?: Readonly<Record<string, string>>;
  /** Pin every Kamailio process to these CPUs (taskset -c). */
  readonly cpus?: string;
  readonly shmMb?: number;
  readonly pkgMb?: number;
  readonly startTimeoutMs?: number;
  readonly workDir?: string;
}

export class KamailioProcess {
  readonly #ownsWorkDir: boolean;

  constructor(
    readonly child: Child,
    /** UDP and TCP. */
    readonly port: number,
    readonly tlsPort: number | undefined,
    readonly workDir: string,
    readonly configFile: string,
    ownsWorkDir: boolean,
  ) {
    this.#ownsWorkDir = ownsWorkDir;
  }

  get pid(): number {
    return this.child.pid;
  }

  /** host:port, as sipp takes its target. */
  get address(): string {
    return `${LOOPBACK}:${this.port}`;
  }

  get logFile(): string {
    return this.child.logFile ?? '';
  }

  logTail(bytes = 4000): string {
    return this.child.logTail(bytes);
  }

  /**
   * SIGTERM to the process group (the main process stops its workers), SIGKILL after 5 s; then its
   * temporary directory goes (see removeWorkDir).
   */
  async stop(): Promise<void> {
    await this.child.stop('SIGTERM', 5000);
    if (this.#ownsWorkDir) removeWorkDir(this.workDir);
  }
}

export function kamailioVersion(): string {
  try {
    const text = execFileSync(TOOL_PATHS.kamailio, ['-v'], { encoding: 'utf8' });
    return /version: (kamailio \S+)/.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function renderKamailioConfig(template: string, values: Readonly<Record<string, string>>): string {
  let text = template;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`@${name}@`, value);
  const left = /@[A-Z_]+@/.exec(text);
  if (left !== null) throw new Error(`Kamailio config: no value for ${left[0]}`);
  return text;
}

export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioProcess> {
  const workDir = options.workDir ?? makeWorkDir('kamailio');
  const [freePort = 0, tlsPort = 0] = await freePorts(2);
  const port = options.port ?? freePort;
  const values: Record<string, string> = {
    PORT: String(port),
    TLS_PORT: String(tlsPort),
    WORKDIR: workDir,
    TLS_CFG: join(workDir, 'tls.cfg'),
    MODULES: kamailioModulesDir(),
    ...options.replacements,
  };
  if (options.tls !== undefined) {
    const tlsCfg = [
      '[server:default]',
      'method = TLSv1.2+',
      'verify_certificate = no',
      'require_certificate = no',
      `private_key = ${options.tls.keyFile}`,
      `certificate = ${options.tls.certFile}`,
      '',
      '[client:default]',
      'method = TLSv1.2+',
      'verify_certificate = no',
      'require_certificate = no',
      '',
    ];
    writeFileSync(join(workDir, 'tls.cfg'), tlsCfg.join('\n'));
  }
  const configFile = join(workDir, 'kamailio.cfg');
  writeFileSync(
    configFile,
    renderKamailioConfig(readFileSync(options.config ?? PEERS_CONFIG, 'utf8'), values),
  );
  const defines = [...(options.defines ?? []), ...(options.tls === undefined ? [] : ['WITH_TLS'])];
  const args = ['-f', configFile, '-DD', '-E', '-Y', workDir];
  args.push('-m', String(options.shmMb ?? 64), '-M', String(options.pkgMb ?? 8));
  for (const define of defines) args.push('-A', define);
  const child = Child.spawn(TOOL_PATHS.kamailio, args, {
    cwd: workDir,
    logFile: join(workDir, 'kamailio.log'),
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
  const kamailio = new KamailioProcess(
    child,
    port,
    options.tls === undefined ? undefined : tlsPort,
    workDir,
    configFile,
    options.workDir === undefined,
  );
  try {
    await waitForSip(port, ['udp', 'tcp'], options.startTimeoutMs ?? PROCESS_START_MS, () => child.running);
  } catch (error) {
    const log = kamailio.logTail();
    await kamailio.stop();
    throw new Error(`Kamailio did not start (${String(error)}); its log:\n${log}`);
  }
  return kamailio;
}
