/**
 * msrprelay's pid file (`<runtime dir>/msrprelay.pid`): refuse to start while the process it names is alive,
 * write ours, remove it at exit. Only used when a runtime directory is given; systemd needs none.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class AlreadyRunningError extends Error {}

export function claimPidFile(runtimeDir: string, name: string): string {
  const path = join(runtimeDir, `${name}.pid`);
  const existing = readPid(path);
  if (existing !== undefined && existing !== process.pid && isAlive(existing)) {
    throw new AlreadyRunningError(`already running with pid ${existing}`);
  }
  writeFileSync(path, `${process.pid}\n`);
  process.once('exit', () => {
    if (readPid(path) === process.pid) rmSync(path, { force: true });
  });
  return path;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
