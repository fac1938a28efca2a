/**
 * sipsak one-shots. Only what works in the Debian build: usrloc mode (-U) REGISTER with digest (-a/-u)
 * over UDP or TCP (-E tcp). Not -M (segfaults) and not TLS (the request is never written).
 * Exit codes (sipsak(1)): 0 = a 200 came back, 1 = another final response (e.g. a failed
 * authentication), 2 = local error, 3 = remote error (refused, no answer).
 */
import { join } from 'node:path';
import { Child, type Exit } from './child.js';
import { makeWorkDir, removeWorkDir } from './paths.js';
import { LOOPBACK } from '../../support/ports.js';
import { TOOL_PATHS } from './tools.js';

export interface SipsakOptions {
  /** Port of the registrar on 127.0.0.1. */
  readonly port: number;
  /**
   * The host of the AOR and Request-URI, default 127.0.0.1. sipsak resolves it and sends there: a served
   * domain must resolve to 127.0.0.1 (`localhost`). It also cuts a 5-digit port to 4 digits in the URI it
   * writes, so a server must match its domains without the port.
   */
  readonly host?: string;
  readonly user: string;
  readonly password: string;
  readonly transport?: 'udp' | 'tcp';
  /** -x: the expiry asked for (0 unregisters). */
  readonly expires?: number;
  readonly timeoutMs?: number;
  readonly extraArgs?: readonly string[];
}

export interface SipsakResult {
  readonly exit: Exit;
  readonly killed: boolean;
  readonly output: string;
  readonly args: readonly string[];
}

/** REGISTER sip:<user>@<host>:<port> with digest authentication (sipsak -U). */
export async function runSipsak(options: SipsakOptions): Promise<SipsakResult> {
  const args = [
    '-U',
    '-s',
    `sip:${options.user}@${options.host ?? LOOPBACK}:${String(options.port)}`,
    '-u',
    options.user,
    '-a',
    options.password,
    '-i', // no Via in usrloc mode (the default; -i silences the warning)
    '-vv',
  ];
  if (options.transport === 'tcp') args.push('-E', 'tcp');
  if (options.expires !== undefined) args.push('-x', String(options.expires));
  args.push(...(options.extraArgs ?? []));
  const workDir = makeWorkDir('sipsak');
  const child = Child.spawn(TOOL_PATHS.sipsak, args, { cwd: workDir, logFile: join(workDir, 'sipsak.log') });
  const timeoutMs = options.timeoutMs ?? 15_000;
  let exit = await child.waitExit(timeoutMs);
  const killed = exit === undefined;
  exit ??= await child.stop('SIGKILL', 1000);
  const output = child.logTail(20_000);
  removeWorkDir(workDir);
  return { exit, killed, output, args };
}
