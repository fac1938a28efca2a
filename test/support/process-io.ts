import { readFileSync } from 'node:fs';

/** What a process has read and written through system calls, files and sockets alike (Linux). */
export interface ProcessIo {
  /** `rchar`: bytes returned by read(2), pread(2) and the like. */
  readonly read: number;
  /** `wchar`: bytes passed to write(2), pwrite(2) and the like. */
  readonly written: number;
}

/** `/proc/<pid>/io`, the counters of every thread of the process (libuv's file I/O runs in its pool). */
export function processIo(pid: number): ProcessIo {
  const text = readFileSync(`/proc/${String(pid)}/io`, 'utf8');
  const counter = (name: string): number => {
    const match = new RegExp(`^${name}: (\\d+)$`, 'm').exec(text);
    if (match === null) throw new Error(`/proc/${String(pid)}/io has no ${name}`);
    return Number(match[1]);
  };
  return { read: counter('rchar'), written: counter('wchar') };
}
