/**
 * sipp as a child process. Results come from the files sipp writes in the run's own directory:
 * `-trace_stat` (counters), `-trace_counts` (per scenario message), `-trace_error_codes` (unexpected
 * responses) and, on request, `-trace_rtt` (response times) — never from its screen, which is only kept
 * as a log. sipp's exit code: 0 = every call succeeded, 1 = some failed, 99 = no call processed,
 * 255/254 = fatal.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Child, type Exit } from './child.js';
import { makeWorkDir, removeWorkDir, type ScenarioName, scenarioPath } from './paths.js';
import { freePort, LOOPBACK, portBound } from '../../support/ports.js';
import {
  parseCounts,
  parseErrorCodes,
  parseRtt,
  parseStats,
  parseTracedMessages,
  readIfExists,
  type SippStats,
  type TracedMessage,
} from './sipp-stats.js';
import { TOOL_PATHS } from './tools.js';
import { PROCESS_START_MS, waitFor } from '../../support/wait.js';

/** Where -trace_msg writes, in the work directory. */
const MESSAGE_FILE = 'messages.log';

/** u1: one UDP socket; t1: one TCP connection for all calls; tn: one TCP connection per call. */
export type SippTransport = 'u1' | 't1' | 'tn';

export interface SippCredentials {
  readonly username: string;
  readonly password: string;
  /**
   * -auth_uri, the digest-uri without `sip:` (sipp adds it). sipp's default is the remote address, not the
   * Request-URI, which a server checking the digest-uri (RFC 2617 §3.2.2.5, as missive does) refuses with
   * 400; by default it is the Request-URI of the shipped scenarios: `[domain]` for register.xml,
   * `[service]@[domain]` otherwise.
   */
  readonly uri?: string;
}

/** The Request-URI (without `sip:`) that the shipped scenarios send, for the digest-uri. */
function scenarioRequestUri(options: SippOptions, domain: string): string {
  if (options.scenario === 'register' || options.service === undefined) return domain;
  return `${options.service}@${domain}`;
}

export interface SippOptions {
  readonly scenario: ScenarioName | (string & {});
  /** host:port where requests go (the proxy); a UAS has none. */
  readonly target?: string;
  readonly transport?: SippTransport;
  /** -p: sipp's port, also the one in its Via and Contact. A free port by default. */
  readonly localPort?: number;
  /** -i, 127.0.0.1 by default. */
  readonly localIp?: string;
  /** -s: the user in the Request-URI (the AOR registered, or the MESSAGE/INVITE recipient). */
  readonly service?: string;
  /** -key from: the sender's user in From (scenarios with a From user). */
  readonly from?: string;
  /** -key domain; example.test by default. */
  readonly domain?: string;
  /** More -key name value pairs (e.g. expires for register.xml). */
  readonly keys?: Readonly<Record<string, string>>;
  /** -au/-ap: what [authentication] answers a 401/407 with. */
  readonly auth?: SippCredentials;
  /** -m: calls to make (UAC) or accept (UAS) before exiting. */
  readonly count?: number;
  /** -r: new calls per second (open loop). */
  readonly rate?: number;
  /** -users: closed loop, this many calls in progress at any time (instead of a rate). */
  readonly users?: number;
  /** -l: at most this many calls in progress (sipp's default is 3 × rate × call length). */
  readonly limit?: number;
  /** -d: what a bare <pause/> lasts (the call length of invite-uac.xml). */
  readonly callDurationMs?: number;
  /** -recv_timeout: a call that waits longer for an expected message fails (no retransmission on TCP). */
  readonly recvTimeoutMs?: number;
  /** The whole run: sipp is told to stop (-timeout) after this, and killed 5 s later. 30 s by default. */
  readonly timeoutMs?: number;
  /** -trace_rtt; `freq` calls per dump (sipp drops a last partial batch: make count a multiple). */
  readonly rtt?: boolean | { readonly freq: number };
  /**
   * -nd: none of sipp's default reactions (a BYE or CANCEL sent for every aborted call, 200 to an
   * unexpected BYE): for MESSAGE load, where they only add requests to an overloaded proxy.
   */
  readonly noDefaults?: boolean;
  /** -buff_size: socket send/receive buffers (sipp's default, 64 KiB, drops UDP bursts at high rates). */
  readonly bufferBytes?: number;
  /** Pin sipp to these CPUs (taskset -c). */
  readonly cpus?: string;
  readonly extraArgs?: readonly string[];
  /** -trace_msg: keep every message sent and received, for SippResult.messages. */
  readonly traceMessages?: boolean;
  /**
   * Where sipp runs and writes its files. By default a new temporary directory, removed after a run in
   * which every call succeeded and kept otherwise (describeSipp names it).
   */
  readonly workDir?: string;
}

export interface SippResult {
  readonly exit: Exit;
  /** The harness had to kill sipp: it did not stop by itself within timeoutMs + 5 s. */
  readonly killed: boolean;
  readonly stats: SippStats | undefined;
  /** Per scenario message, e.g. `2_407_Recv` → 1 (see sipp-stats.ts). */
  readonly counts: ReadonlyMap<string, number>;
  /** Status code → how many responses with it came unexpectedly (e.g. 404 when nobody is registered). */
  readonly unexpectedCodes: ReadonlyMap<number, number>;
  /** Response times of timer 1 in ms (with `rtt`). */
  readonly rtt: readonly number[];
  /** sipp's own account of unexpected messages and aborted calls (-trace_err). */
  readonly errors: string;
  /** sipp's stderr (and stdout, which is its screen). */
  readonly log: string;
  /** With traceMessages: every message sent and received, in order. */
  readonly messages: readonly TracedMessage[];
  readonly workDir: string;
  readonly args: readonly string[];
}

function findFile(dir: string, suffix: string): string | undefined {
  const name = (existsSync(dir) ? readdirSync(dir) : []).find((file) => file.endsWith(suffix));
  return name === undefined ? undefined : join(dir, name);
}

/** The command line, so that a failing test can print what to run by hand. */
export function sippArgs(options: SippOptions, localPort: number, statsFile: string): string[] {
  const args = ['-sf', scenarioPath(options.scenario)];
  if (options.target !== undefined) args.push(options.target);
  args.push('-i', options.localIp ?? LOOPBACK, '-p', String(localPort));
  args.push('-t', options.transport ?? 'u1', '-nostdin');
  if (options.service !== undefined) args.push('-s', options.service);
  const domain = options.domain ?? 'example.test';
  const keys: Record<string, string> = { domain, ...options.keys };
  if (options.from !== undefined) keys.from = options.from;
  for (const [name, value] of Object.entries(keys)) args.push('-key', name, value);
  if (options.auth !== undefined) {
    args.push('-au', options.auth.username, '-ap', options.auth.password);
    args.push('-auth_uri', options.auth.uri ?? scenarioRequestUri(options, domain));
  }
  if (options.count !== undefined) args.push('-m', String(options.count));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.users !== undefined) args.push('-users', String(options.users));
  if (options.limit !== undefined) args.push('-l', String(options.limit));
  if (options.callDurationMs !== undefined) args.push('-d', `${options.callDurationMs}ms`);
  if (options.bufferBytes !== undefined) args.push('-buff_size', String(options.bufferBytes));
  if (options.noDefaults === true) args.push('-nd');
  args.push('-recv_timeout', `${options.recvTimeoutMs ?? 5000}ms`);
  args.push('-timeout', `${Math.ceil((options.timeoutMs ?? 30_000) / 1000)}s`);
  args.push(
    '-trace_stat',
    '-stf',
    statsFile,
    '-fd',
    '200ms',
    '-trace_counts',
    '-trace_err',
    '-trace_error_codes',
  );
  if (options.rtt !== undefined && options.rtt !== false) {
    args.push('-trace_rtt', '-rtt_freq', String(options.rtt === true ? 1 : options.rtt.freq));
  }
  if (options.traceMessages === true) args.push('-trace_msg', '-message_file', MESSAGE_FILE);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** A sipp process and the files it writes; runSipp and startSippUas build on it. */
export class SippProcess {
  readonly #statsFile: string;
  readonly #timeoutMs: number;
  readonly #ownsWorkDir: boolean;

  private constructor(
    readonly child: Child,
    readonly port: number,
    readonly transport: SippTransport,
    readonly workDir: string,
    readonly args: readonly string[],
    statsFile: string,
    timeoutMs: number,
    ownsWorkDir: boolean,
  ) {
    this.#statsFile = statsFile;
    this.#timeoutMs = timeoutMs;
    this.#ownsWorkDir = ownsWorkDir;
  }

  #outcome: Promise<SippResult> | undefined;

  static async spawn(options: SippOptions): Promise<SippProcess> {
    const workDir = options.workDir ?? makeWorkDir('sipp');
    const port = options.localPort ?? (await freePort());
    const statsFile = join(workDir, 'stats.csv');
    const args = sippArgs(options, port, statsFile);
    const child = Child.spawn(TOOL_PATHS.sipp, args, {
      cwd: workDir,
      logFile: join(workDir, 'sipp.log'),
      ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    });
    return new SippProcess(
      child,
      port,
      options.transport ?? 'u1',
      workDir,
      args,
      statsFile,
      options.timeoutMs ?? 30_000,
      options.workDir === undefined,
    );
  }

  /** The counters as last dumped (every 200 ms while it runs, and at the end). */
  stats(): SippStats | undefined {
    return parseStats(readIfExists(this.#statsFile));
  }

  /** Waits for the exit (killing sipp when it overstays) and reads its files. */
  finish(): Promise<SippResult> {
    this.#outcome ??= this.#settle(this.#timeoutMs + 5000);
    return this.#outcome;
  }

  /**
   * SIGUSR1 (stop taking calls, finish the ones in progress, write the stats), then SIGKILL after
   * `graceMs`. Stopping again, or after finish(), returns the same result.
   */
  stop(graceMs = 5000): Promise<SippResult> {
    if (this.#outcome === undefined) {
      this.child.signal('SIGUSR1');
      this.#outcome = this.#settle(graceMs);
    }
    return this.#outcome;
  }

  async #settle(waitMs: number): Promise<SippResult> {
    let exit = await this.child.waitExit(waitMs);
    const killed = exit === undefined;
    exit ??= await this.child.stop('SIGKILL', 1000);
    return this.#result(exit, killed);
  }

  #result(exit: Exit, killed: boolean): SippResult {
    const result: SippResult = {
      exit,
      killed,
      stats: this.stats(),
      counts: parseCounts(readIfExists(findFile(this.workDir, '_counts.csv'))),
      unexpectedCodes: parseErrorCodes(readIfExists(findFile(this.workDir, '_error_codes.csv'))),
      rtt: parseRtt(readIfExists(findFile(this.workDir, '_rtt.csv'))),
      errors: readIfExists(findFile(this.workDir, '_errors.log')).slice(0, 20_000),
      log: this.child.logTail(20_000),
      messages: parseTracedMessages(readIfExists(join(this.workDir, MESSAGE_FILE))),
      workDir: this.workDir,
      args: this.args,
    };
    if (this.#ownsWorkDir && sippSucceeded(result)) removeWorkDir(this.workDir);
    return result;
  }
}

/** Runs a scenario to its end (count calls, or timeoutMs). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const sipp = await SippProcess.spawn(options);
  return sipp.finish();
}

/** A UAS that serves until stopped. */
export class SippUas {
  constructor(readonly sipp: SippProcess) {}

  get port(): number {
    return this.sipp.port;
  }

  stats(): SippStats | undefined {
    return this.sipp.stats();
  }

  /** Waits until `calls` calls have completed successfully (read from the stats dumped every 200 ms). */
  waitForCalls(calls: number, timeoutMs: number): Promise<SippStats> {
    return waitFor(
      () => {
        const stats = this.stats();
        if (stats !== undefined && stats.successful >= calls) return stats;
        if (!this.sipp.child.running)
          throw new Error(`sipp UAS: ${stats?.successful ?? 0} of ${calls} calls completed (it exited)`);
        return undefined;
      },
      () => `sipp UAS to complete ${calls} calls (${this.stats()?.successful ?? 0} did)`,
      { timeoutMs, intervalMs: 100 },
    );
  }

  stop(graceMs = 5000): Promise<SippResult> {
    return this.sipp.stop(graceMs);
  }
}

/**
 * Starts a UAS scenario (message-uas, invite-uas) on `localPort` and resolves once its socket is bound.
 * `timeoutMs` (default 10 minutes) bounds its life in case nobody stops it.
 */
export async function startSippUas(options: Omit<SippOptions, 'target'>): Promise<SippUas> {
  const sipp = await SippProcess.spawn({ timeoutMs: 600_000, ...options });
  const transport = sipp.transport === 'u1' ? 'udp' : 'tcp';
  try {
    await waitFor(
      () => {
        if (portBound(sipp.port, transport)) return true;
        if (!sipp.child.running) throw new Error('it exited');
        return false;
      },
      `sipp UAS to bind ${transport} ${sipp.port}`,
      { timeoutMs: PROCESS_START_MS, intervalMs: 50 },
    );
  } catch (error) {
    const result = await sipp.stop(1000);
    throw new Error(
      `sipp UAS did not bind ${transport} ${sipp.port} (${String(error)}): ${describeSipp(result)}`,
    );
  }
  return new SippUas(sipp);
}

export interface RegisterOptions {
  /** host:port of the registrar. */
  readonly registrar: string;
  readonly user: string;
  readonly domain?: string;
  /** Digest password; the user name is `user`. Without it a 401 fails the registration. */
  readonly password?: string;
  readonly transport?: SippTransport;
  /** The port the registered Contact points at: where the UAS will listen. */
  readonly contactPort: number;
  readonly expires?: number;
  readonly cpus?: string;
  readonly workDir?: string;
}

/**
 * Registers `user` with Contact 127.0.0.1:<contactPort> (register.xml, sipp bound to that port: with UDP the
 * Contact must be the UAS's listening address). Run it before startSippUas on the same port: they cannot
 * share the socket.
 */
export function registerWithSipp(options: RegisterOptions): Promise<SippResult> {
  return runSipp({
    scenario: 'register',
    target: options.registrar,
    transport: options.transport ?? 'u1',
    localPort: options.contactPort,
    service: options.user,
    ...(options.domain === undefined ? {} : { domain: options.domain }),
    keys: { expires: String(options.expires ?? 3600) },
    ...(options.password === undefined
      ? {}
      : { auth: { username: options.user, password: options.password } }),
    count: 1,
    timeoutMs: 15_000,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
  });
}

/** One line about a run, plus sipp's errors and log tail: for assertion messages. */
export function describeSipp(result: SippResult): string {
  const s = result.stats;
  const counters =
    s === undefined
      ? 'no statistics file'
      : `${s.successful} ok, ${s.failed} failed (unexpected ${s.failedUnexpected}, udp retrans ${s.failedMaxUdpRetrans}, recv timeout ${s.failedTimeoutOnRecv}, tcp ${s.failedTcpConnect + s.failedTcpClosed}), ${s.retransmissions} retransmissions, ${s.outOfCallMsgs} out-of-call`;
  return [
    `sipp exit ${result.exit.code ?? result.exit.signal ?? '?'}${result.killed ? ' (killed)' : ''}: ${counters}`,
    `command: sipp ${result.args.join(' ')}`,
    `files: ${result.workDir}`,
    result.errors === '' ? '' : `errors:\n${result.errors.slice(0, 3000)}`,
    `log tail:\n${result.log.slice(-2000)}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** True when sipp exited 0 and every call it made or took succeeded. */
export function sippSucceeded(result: SippResult, calls?: number): boolean {
  const s = result.stats;
  return (
    result.exit.code === 0 &&
    !result.killed &&
    s !== undefined &&
    s.failed === 0 &&
    (calls === undefined || s.successful === calls)
  );
}
