/**
 * The file-transfer store (sylk spec §4.3): uploads received into a partial file and renamed into their
 * transfer's directory only once every announced byte has arrived, so that an interrupted or cancelled
 * upload leaves nothing behind; the SHA-1 computed while the bytes go by; the metadata file of sylk spec §4.3.3; a
 * size limit per file and a quota per account (the bytes under the account's own directory, uploads in
 * progress included); downloads opened by their URL's path, which can never leave the transfer directory.
 *
 * Any transport can use it: the HTTP upload streams the request body into an Upload, an MSRP endpoint
 * would write its chunks into a stream of its own. Results are unions; nothing throws but the file system
 * failing (a full disk, a permission), which the caller logs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type Stats } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAorHash, safeName } from './naming.js';
import { placeOf, type TransferPlace, TransferLayout } from './transfer-layout.js';

export interface FileStoreLimits {
  /** The largest file, in bytes. */
  readonly maxFileBytes: number;
  /** Bytes an account may keep (its own directory, uploads in progress included); 0: no quota. */
  readonly quotaBytes: number;
}

export type BeginOutcome =
  | { readonly kind: 'ready'; readonly upload: Upload }
  | { readonly kind: 'too-large'; readonly maxFileBytes: number }
  | { readonly kind: 'quota'; readonly quotaBytes: number; readonly usedBytes: number };

export type ReceiveOutcome =
  | { readonly kind: 'received'; readonly bytes: number; readonly sha1: string }
  /** The source ended early, failed or was destroyed (a cancel, a cut connection). */
  | { readonly kind: 'interrupted'; readonly bytes: number }
  /** The source sent more than announced. */
  | { readonly kind: 'too-long' };

export type OpenOutcome =
  | { readonly kind: 'file'; readonly path: string; readonly stats: Stats; readonly filename: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'missing' };

export class FileTransferStore {
  readonly layout: TransferLayout;
  readonly #limits: FileStoreLimits;
  /** Bytes announced by the uploads in progress, per owner directory (the quota counts them). */
  readonly #reserved = new Map<string, number>();

  constructor(directory: string, limits: FileStoreLimits) {
    this.layout = new TransferLayout(directory);
    this.#limits = limits;
  }

  get limits(): FileStoreLimits {
    return this.#limits;
  }

  /** Checks the size and the quota, then reserves `bytes` for an upload to `place`. */
  async begin(place: TransferPlace, bytes: number): Promise<BeginOutcome> {
    const { maxFileBytes, quotaBytes } = this.#limits;
    if (bytes > maxFileBytes) return { kind: 'too-large', maxFileBytes };
    const owner = place.first;
    const directory = this.layout.directory(place);
    const target = this.layout.file(place);
    const metadata = this.layout.metadata(place);
    if (directory === undefined || target === undefined || metadata === undefined)
      throw new Error('a transfer place outside the transfer directory'); // names are checked before
    if (quotaBytes > 0) {
      const used = (await this.usedBytes(owner)) + (this.#reserved.get(owner) ?? 0);
      if (used + bytes > quotaBytes) return { kind: 'quota', quotaBytes, usedBytes: used };
    }
    this.#reserved.set(owner, (this.#reserved.get(owner) ?? 0) + bytes);
    // Made here, so that receive() takes its source's events from its first moment (an early error included).
    await mkdir(this.layout.partialDirectory, { recursive: true });
    const partial = join(this.layout.partialDirectory, `${randomBytes(12).toString('hex')}.part`);
    const release = (): void => {
      const left = (this.#reserved.get(owner) ?? 0) - bytes;
      if (left > 0) this.#reserved.set(owner, left);
      else this.#reserved.delete(owner);
    };
    return { kind: 'ready', upload: new Upload({ bytes, partial, directory, target, metadata, release }) };
  }

  /**
   * Removes a transfer's directory, in either layout (sender first, or receiver first when the sender had
   * no storage account): what the journal's removal of its message takes with it (sylk spec §1.4.10).
   */
  async removeTransfer(sender: string, receiver: string, transferId: string): Promise<void> {
    const id = safeName(transferId);
    if (!id.ok || id.name !== transferId) return; // not an id missive stored anything under
    for (const senderFirst of [true, false]) {
      const directory = this.layout.directory(placeOf(sender, receiver, transferId, 'x', senderFirst));
      if (directory !== undefined) await rm(directory, { recursive: true, force: true });
    }
  }

  /** Bytes stored under an account's own directory (its hash first). */
  async usedBytes(ownerHash: string): Promise<number> {
    const directory = this.layout.ownerDirectory(ownerHash);
    return directory === undefined ? 0 : sizeOfTree(directory);
  }

  /**
   * A stored file by its URL's segments (percent-decoded): each must be what missive itself would have
   * written, else `invalid` (the reference's "unsafe → 403"); a file that is not there, or is not a plain
   * file, is `missing`.
   */
  async open(first: string, second: string, transferId: string, filename: string): Promise<OpenOutcome> {
    if (!isAorHash(first) || !isAorHash(second)) return { kind: 'invalid', reason: 'not a transfer path' };
    for (const segment of [transferId, filename]) {
      const check = safeName(segment);
      if (!check.ok) return { kind: 'invalid', reason: check.reason };
      if (check.name !== segment) return { kind: 'invalid', reason: 'not a name missive stores' };
    }
    const path = this.layout.file({ first, second, transferId, filename });
    if (path === undefined) return { kind: 'invalid', reason: 'not a transfer path' };
    try {
      const stats = await lstat(path);
      return stats.isFile() ? { kind: 'file', path, stats, filename } : { kind: 'missing' };
    } catch (error) {
      if (isMissing(error)) return { kind: 'missing' };
      throw error;
    }
  }
}

interface UploadPaths {
  readonly bytes: number;
  readonly partial: string;
  readonly directory: string;
  readonly target: string;
  readonly metadata: string;
  readonly release: () => void;
}

/** One upload in progress: receive its bytes, then complete or cancel it (exactly one of the two). */
export class Upload {
  readonly #paths: UploadPaths;
  #settled = false;

  constructor(paths: UploadPaths) {
    this.#paths = paths;
  }

  /** The announced size. */
  get bytes(): number {
    return this.#paths.bytes;
  }

  /** Streams `source` into the partial file, counting and hashing; the file is on disk (fsync) when received. */
  async receive(source: Readable | AsyncIterable<Buffer>): Promise<ReceiveOutcome> {
    const { partial, bytes: announced } = this.#paths;
    const hash = createHash('sha1');
    let bytes = 0;
    try {
      // A Transform rather than an async generator: a plain callback per chunk costs less (bench:files).
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback): void {
          bytes += chunk.length;
          if (bytes > announced) {
            callback(new TooLong());
            return;
          }
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      // flush: fsync before close, so that a file announced as stored is on disk.
      const file = createWriteStream(partial, {
        flags: 'wx',
        mode: 0o640,
        flush: true,
        highWaterMark: 256 * 1024,
      });
      await pipeline(source, counted, file);
    } catch (error) {
      await this.cancel();
      return error instanceof TooLong ? { kind: 'too-long' } : { kind: 'interrupted', bytes };
    }
    if (bytes !== announced) {
      await this.cancel();
      return { kind: 'interrupted', bytes };
    }
    return { kind: 'received', bytes, sha1: sha1Text(hash.digest()) };
  }

  /**
   * Writes the metadata file, then moves the file into place: a file in a transfer's directory is always
   * whole. `metadata` is the TransferredFile document of sylk spec §4.3.3.
   */
  async complete(metadata: Readonly<Record<string, unknown>>): Promise<void> {
    if (this.#settled) throw new Error('upload already settled');
    this.#settled = true;
    const { partial, directory, target, release } = this.#paths;
    try {
      const metaPartial = `${partial}.meta`;
      await writeFile(metaPartial, JSON.stringify(metadata), { mode: 0o640 });
      // The expiry sweep removes empty directories: one made here may go before the rename, so try again.
      await intoDirectory(directory, () => rename(metaPartial, this.#paths.metadata));
      await intoDirectory(directory, () => rename(partial, target));
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    } finally {
      release();
    }
  }

  /** Drops whatever was received; nothing of the upload stays. */
  async cancel(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    this.#paths.release();
    await rm(this.#paths.partial, { force: true });
  }
}

/** The source sent more than it announced (a Content-Length that lied, an MSRP byte range past its total). */
class TooLong extends Error {
  constructor() {
    super('more bytes than announced');
  }
}

/** Runs `move` into `directory`, making it first, again when the directory went in between (ENOENT). */
async function intoDirectory(directory: string, move: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(directory, { recursive: true });
    try {
      await move();
      return;
    } catch (error) {
      if (attempt >= 3 || !isMissing(error)) throw error;
    }
  }
}

/** `sha-1:AB:CD:…` (sylk spec §4.3.3): 20 upper-case hex pairs. */
export function sha1Text(digest: Buffer): string {
  return `sha-1:${[...digest].map((byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join(':')}`;
}

async function sizeOfTree(directory: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true, recursive: true });
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      total += (await lstat(join(entry.parentPath, entry.name))).size;
    } catch (error) {
      if (!isMissing(error)) throw error; // removed meanwhile (an expiry sweep)
    }
  }
  return total;
}

export function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}
