/**
 * Housekeeping of sylk spec §4.3.7: at start and then every hour, files of 50 MiB or more whose mtime is
 * `expireDays` old are deleted, and any file twice that old; then the directories left empty. Partial files
 * of uploads that never ended (a process killed mid-upload) go after a day. Time is the injectable clock's;
 * runs never overlap, and a failed run is logged and tried again at the next.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../time/clock.js';
import { isMissing } from './transfer-store.js';

export const SWEEP_INTERVAL_MS = 3600_000;
/** sylk spec §4.3.7: the size from which a file goes after expireDays rather than twice that. */
export const LARGE_FILE_BYTES = 50 * 1024 * 1024;
const DAY_MS = 24 * 3600_000;
/** An upload still running after a day is not running any more. */
const PARTIAL_MAX_AGE_MS = DAY_MS;

export interface SweepCounts {
  readonly files: number;
  readonly directories: number;
}

export interface ExpirySweepOptions {
  readonly root: string;
  readonly partialDirectory: string;
  readonly expireDays: number;
  readonly clock: Clock;
  readonly intervalMs?: number | undefined;
  readonly logger?: Logger | undefined;
  /** Told after each periodic sweep (what it removed), e.g. for a metric. */
  readonly onSwept?: ((counts: SweepCounts) => void) | undefined;
}

export class ExpirySweep {
  readonly #options: ExpirySweepOptions;
  #timer: Timer | undefined;
  #running: Promise<SweepCounts> | undefined;
  #stopped = true;

  constructor(options: ExpirySweepOptions) {
    this.#options = options;
  }

  /** A sweep now (sylk spec §4.3.7: at start-up), then every interval. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One sweep now (or the one in progress): how many files and directories it removed. */
  runOnce(): Promise<SweepCounts> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #run(): void {
    this.runOnce().then(
      (counts) => {
        if (counts.files > 0 || counts.directories > 0)
          this.#options.logger?.info(counts, 'expired file transfers removed');
        this.#options.onSwept?.(counts);
      },
      (error: unknown) => {
        this.#options.logger?.error({ err: error }, 'file transfer expiry failed');
      },
    );
    if (!this.#stopped)
      this.#timer = this.#options.clock.schedule(this.#options.intervalMs ?? SWEEP_INTERVAL_MS, () => {
        this.#timer = undefined;
        if (!this.#stopped) this.#run();
      });
  }

  async #sweep(): Promise<SweepCounts> {
    const { root, partialDirectory, expireDays, clock } = this.#options;
    const now = clock.now();
    const expiry = expireDays * DAY_MS;
    const counts = { files: 0, directories: 0 };
    await this.#walk(
      root,
      true,
      counts,
      (path, size, age) => {
        if (path.startsWith(partialDirectory)) return age >= PARTIAL_MAX_AGE_MS;
        return (size >= LARGE_FILE_BYTES && age >= expiry) || age >= 2 * expiry;
      },
      now,
    );
    return counts;
  }

  /** Removes the expired files below `directory`, then `directory` itself when it is left empty (not the root). */
  async #walk(
    directory: string,
    isRoot: boolean,
    counts: { files: number; directories: number },
    expired: (path: string, size: number, ageMs: number) => boolean,
    now: number,
  ): Promise<void> {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    let left = entries.length;
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        await this.#walk(path, false, counts, expired, now);
        if (!(await exists(path))) left -= 1;
        continue;
      }
      if (!entry.isFile()) continue;
      const stats = await statOrMissing(path);
      if (stats === undefined) {
        left -= 1;
        continue;
      }
      if (expired(path, stats.size, now - stats.mtimeMs)) {
        await rm(path, { force: true });
        counts.files += 1;
        left -= 1;
      }
    }
    // The partial files' directory stays: an upload may be about to write into it.
    if (!isRoot && left === 0 && directory !== this.#options.partialDirectory) {
      // Another upload may have made something in it meanwhile: rmdir refuses a directory that is not empty.
      try {
        await rmdir(directory);
        counts.directories += 1;
      } catch {
        // not empty any more, or gone already
      }
    }
  }
}

/** undefined when the file went meanwhile (an upload's rename, another sweep). */
async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
