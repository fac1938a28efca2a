/**
 * SylkServer's file_transfer_dir moved into missive's: the layout is the same (sylk spec §4.3.1), so each
 * file is copied to the same relative path, unless a file of the same size is there already (a second run
 * copies nothing). Copied under a temporary name and renamed, so an interrupted copy leaves no half file.
 * Symbolic links are not followed: what is copied stays inside the two directories.
 */
import { copyFile, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImportCounts } from './importer.js';

export async function copyFileTransfers(from: string, to: string, dryRun: boolean): Promise<ImportCounts> {
  const counts: ImportCounts = { imported: 0, present: 0 };
  for await (const relative of files(from, '')) {
    const target = join(to, relative);
    const source = await lstat(join(from, relative));
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isFile() === true && existing.size === source.size) {
      counts.present += 1;
      continue;
    }
    counts.imported += 1;
    if (dryRun) continue;
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.import-partial`;
    try {
      await copyFile(join(from, relative), partial);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }
  return counts;
}

async function* files(root: string, relative: string): AsyncIterable<string> {
  for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
    const path = relative === '' ? entry.name : join(relative, entry.name);
    if (entry.isDirectory()) yield* files(root, path);
    else if (entry.isFile()) yield path;
  }
}
