/**
 * Any proxy started from a command line: the argv gets {port} (UDP and TCP on 127.0.0.1) and {workdir}
 * filled in; it is ready when it answers OPTIONS on both. Used by missive's target and --extra-target.
 */
import { join } from 'node:path';
import { Child } from '../../../test/interop/harness/child.js';
import { freePort, LOOPBACK } from '../../../test/support/ports.js';
import { waitForSip } from '../../../test/interop/harness/sip-ping.js';
import { processTree } from '../../msrp/relays/proc.js';
import type { RunningTarget, TargetLaunch } from './target.js';

export interface CommandSpec {
  readonly name: string;
  /**
   * The command line: a list with {port} and {workdir} placeholders, or a function of them (which may
   * also write a configuration file into the work directory first).
   */
  readonly argv: readonly string[] | ((port: number, workDir: string) => readonly string[]);
  readonly cwd?: string;
  readonly startTimeoutMs?: number;
}

export function fillPlaceholders(
  argv: readonly string[],
  values: Readonly<Record<string, string>>,
): string[] {
  return argv.map((arg) => arg.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole));
}

export async function startCommandTarget(spec: CommandSpec, launch: TargetLaunch): Promise<RunningTarget> {
  const port = await freePort();
  const argv =
    typeof spec.argv === 'function'
      ? spec.argv(port, launch.workDir)
      : fillPlaceholders(spec.argv, { port: String(port), workdir: launch.workDir });
  const [command, ...args] = argv;
  if (command === undefined) throw new Error(`${spec.name}: empty command`);
  const child = Child.spawn(command, args, {
    cpus: launch.cpus,
    logFile: join(launch.workDir, `${spec.name}.log`),
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  });
  const running: RunningTarget = {
    address: `${LOOPBACK}:${port}`,
    pids: () => processTree(child.pid),
    stop: async () => {
      await child.stop('SIGTERM', 5000);
    },
  };
  try {
    await waitForSip(port, ['udp', 'tcp'], spec.startTimeoutMs ?? 20_000, () => child.running);
  } catch (error) {
    const log = child.logTail();
    await running.stop();
    throw new Error(`${spec.name} did not start (${String(error)}):\n${log}`);
  }
  return running;
}
