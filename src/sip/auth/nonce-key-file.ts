/**
 * The nonce key of this process, and the previous process's, through a key file in the data directory.
 * At each start the key in the file becomes the previous key (its nonces are answered stale, see nonce.ts)
 * and a new random key replaces it. A new key per process, rather than one kept for ever, is what makes
 * a nonce of the previous process unusable: its nonce counts are gone, so accepting it would allow
 * replays. The file holds one hex line, is written whole (temporary file, then rename) and is readable by
 * its owner only (mode 0600): with the key, anyone could make nonces the server accepts.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, unlink } from 'node:fs/promises';

export interface NonceKeys {
  readonly key: Buffer;
  /** The key of the process that ran before, when the file held a valid one. */
  readonly previous: Buffer | undefined;
}

const KEY_BYTES = 32;
const KEY_TEXT = /^[0-9a-f]{64}$/;

export async function rotateNonceKeyFile(path: string): Promise<NonceKeys> {
  const previous = await readKey(path);
  const key = randomBytes(KEY_BYTES);
  const temporary = `${path}.new`;
  await unlink(temporary).catch(ignoreMissing);
  // `wx` with the mode: the file is created 0600, never readable by others even for a moment.
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${key.toString('hex')}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  await chmod(path, 0o600);
  return { key, previous };
}

/** The key in the file; undefined when there is none or it is not one (a damaged file only costs stale answers). */
async function readKey(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    ignoreMissing(error);
    return undefined;
  }
  const line = text.trim();
  return KEY_TEXT.test(line) ? Buffer.from(line, 'hex') : undefined;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
