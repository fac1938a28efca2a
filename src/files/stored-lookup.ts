/**
 * Finding a stored file by its hash, for an MSRP pull (RFC 5547 §8.2, the answerer sends; sylk spec §4.3.4: "serves a stored
 * file if its metadata hash equals the requested hash"): among the transfers between two accounts (either
 * layout, sender or receiver first), the one whose metadata file has that hash (and that name, when the
 * selector gives one). Bounded: at most MAX_TRANSFERS transfer directories are looked at.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aorHash, METADATA_PREFIX } from './naming.js';
import type { TransferLayout } from './transfer-layout.js';
import { isMissing } from './transfer-store.js';

export interface StoredFile {
  readonly path: string;
  readonly filename: string;
  readonly size: number;
  readonly filetype: string;
  readonly hash: string;
}

const MAX_TRANSFERS = 10_000;
const MAX_METADATA_BYTES = 64 * 1024;

export async function findStoredFile(
  layout: TransferLayout,
  accounts: readonly [string, string],
  hash: string,
  name: string | undefined,
): Promise<StoredFile | undefined> {
  let looked = 0;
  for (const [first, second] of [accounts, [accounts[1], accounts[0]] as const]) {
    const pair = layout.directory({
      first: aorHash(first),
      second: aorHash(second),
      transferId: 'x',
      filename: 'x',
    });
    if (pair === undefined) continue;
    const base = join(pair, '..');
    let transfers: string[];
    try {
      transfers = await readdir(base);
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    for (const transfer of transfers) {
      if (++looked > MAX_TRANSFERS) return undefined;
      const found = await matching(join(base, transfer), hash, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

async function matching(
  directory: string,
  hash: string,
  name: string | undefined,
): Promise<StoredFile | undefined> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!entry.startsWith(METADATA_PREFIX)) continue;
    const filename = entry.slice(METADATA_PREFIX.length);
    if (name !== undefined && filename !== name) continue;
    try {
      const text = await readFile(join(directory, entry));
      if (text.length > MAX_METADATA_BYTES) continue;
      const metadata = JSON.parse(text.toString('utf8')) as Record<string, unknown>;
      if (typeof metadata.hash !== 'string' || metadata.hash.toUpperCase() !== hash.toUpperCase()) continue;
      const path = join(directory, filename);
      const stats = await lstat(path);
      if (!stats.isFile()) continue;
      const filetype = typeof metadata.filetype === 'string' ? metadata.filetype : 'application/octet-stream';
      return { path, filename, size: stats.size, filetype, hash: metadata.hash };
    } catch {
      // Unreadable metadata or a file gone meanwhile (an expiry sweep): not this one.
    }
  }
  return undefined;
}
