/**
 * Housekeeping of sylk spec §4.3.7 on the manual clock: a sweep at start and then every hour; files of
 * 50 MiB or more go after expireDays, others after twice that, partial files after a day; directories left
 * empty go too, the transfer directory itself stays.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ExpirySweep, LARGE_FILE_BYTES, SWEEP_INTERVAL_MS } from '../../src/files/expiry-sweep.js';
import { ManualClock } from '../support/manual-clock.js';
import { waitFor } from '../support/wait.js';

const DAY_MS = 24 * 3600_000;

describe('ExpirySweep', () => {
  let root: string;
  const NOW = Date.UTC(2026, 11, 7);

  /** A file `ageDays` old (mtime) of `bytes` (sparse). */
  const file = async (relative: string, ageDays: number, bytes = 10): Promise<string> => {
    const path = join(root, relative);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '');
    await truncate(path, bytes);
    const mtime = new Date(NOW - ageDays * DAY_MS);
    await utimes(path, mtime, mtime);
    return path;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'missive-expiry-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('large files after expireDays, others after twice that, partial ones after a day; empty directories go', async () => {
    const clock = new ManualClock(NOW);
    const largeOld = await file('a/A/B/t1/large.bin', 15, LARGE_FILE_BYTES);
    const largeNew = await file('a/A/B/t2/large.bin', 14, LARGE_FILE_BYTES);
    const smallOld = await file('a/A/B/t3/small.bin', 30);
    const smallNew = await file('a/A/B/t4/small.bin', 29);
    const partialOld = await file('.partial/x.part', 1);
    const partialNew = await file('.partial/y.part', 0.5);
    const sweep = new ExpirySweep({
      root,
      partialDirectory: join(root, '.partial'),
      expireDays: 15,
      clock,
    });
    assert.deepEqual(await sweep.runOnce(), { files: 3, directories: 2 });
    for (const gone of [largeOld, smallOld, partialOld]) assert.equal(existsSync(gone), false, gone);
    for (const kept of [largeNew, smallNew, partialNew]) assert.equal(existsSync(kept), true, kept);
    assert.equal(existsSync(join(root, 'a/A/B/t1')), false);
    assert.equal(existsSync(join(root, 'a/A/B/t3')), false);
    assert.equal(existsSync(root), true);
  });

  test('runs at start and then every hour on the clock', async () => {
    const clock = new ManualClock(NOW);
    const sweeps: number[] = [];
    const sweep = new ExpirySweep({
      root,
      partialDirectory: join(root, '.partial'),
      expireDays: 1,
      clock,
      onSwept: (counts) => sweeps.push(counts.files),
    });
    const old = await file('a/A/B/t1/a.bin', 3);
    // Two days old (expiry) in half an hour: the start's sweep keeps it, the next hour's takes it.
    const younger = await file('a/A/B/t2/a.bin', 2 - 1 / 48);
    sweep.start();
    await waitFor(() => sweeps.length === 1 || undefined, 'the first sweep');
    assert.deepEqual(sweeps, [1]);
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(younger), true);
    clock.advance(SWEEP_INTERVAL_MS);
    await waitFor(() => sweeps.length === 2 || undefined, 'the hourly sweep');
    assert.deepEqual(sweeps, [1, 1]);
    assert.equal(existsSync(younger), false);
    await sweep.stop();
    assert.equal(clock.pending, 0);
  });
});
