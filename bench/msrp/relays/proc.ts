/** Process plumbing for the relays under test: pinned spawning, /proc accounting, bounded stopping. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { LOOPBACK, sleep } from '../net.js';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Spawns `command` pinned to `core` with `taskset`, stdout and stderr appended to `logFile`. */
export function spawnPinned(
  core: number,
  command: string,
  args: readonly string[],
  logFile: string,
): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    return spawn('taskset', ['-c', String(core), command, ...args], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log); // the child has its own copy
  }
}

/** Pins every thread of an existing process (the generator pins itself this way). */
export function pinProcess(pid: number, core: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `rootPid` and all its descendants (Kamailio forks its workers). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const result: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && result.length < 10_000) {
    const pid = queue.shift();
    if (pid === undefined) break;
    result.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return result;
}

interface Stat {
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name: state(3) ppid(4) … utime(14) stime(15).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
}

/** utime+stime of the processes, in seconds (clock-tick resolution). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat !== undefined) ticks += stat.utime + stat.stime;
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Memory of the processes in bytes: the sum of their PSS, so pages Kamailio's processes share (its shm
 * pool) count once; for one process PSS is its RSS minus a share of the shared libraries.
 */
export function pssBytes(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // the process went away
    }
  }
  return kib * 1024;
}

/** VmRSS of the processes summed, in bytes (double-counts shared pages; reported for reference). */
export function rssBytes(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // the process went away
    }
  }
  return kib * 1024;
}

export function openFdCount(pids: readonly number[]): number {
  let count = 0;
  for (const pid of pids) {
    try {
      count += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // the process went away
    }
  }
  return count;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; also kills descendants that outlive their parent. */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const tree = processTree(pid).map((member) => ({ pid: member, comm: commOf(member) }));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
  child.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  await Promise.race([exited, sleep(graceMs)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const member of tree) {
    if (member.pid === pid) continue;
    while (Date.now() < deadline && commOf(member.pid) === member.comm) await sleep(50);
    // Only a process that still has the same name is ours: a pid can be reused.
    if (member.comm === undefined || commOf(member.pid) !== member.comm) continue;
    try {
      process.kill(member.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return undefined;
  }
}
