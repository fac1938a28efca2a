/**
 * The names of sylk spec §4.3.1, so that a SylkServer `file_transfers` directory can be moved over as it is:
 * `H(aor)` (URL-safe base64 of the MD5 of the AOR, without padding) and the directory of a transfer. File
 * names and transfer ids are sanitised as werkzeug's `secure_filename` does (the reference's rule, sylk spec §4.3.2),
 * after refusing outright what could only be an attempt to leave the directory: a NUL, a separator, a `..`,
 * an absolute name, or a name longer than a file system takes.
 */
import { createHash } from 'node:crypto';

/** Bytes a file name may have on the usual file systems (ext4, XFS, APFS: 255). */
export const MAX_NAME_BYTES = 255;
/** A metadata file is `meta-{filename}`: the file name must leave room for the prefix. */
export const METADATA_PREFIX = 'meta-';

/** `H(aor)` of sylk spec §4.3.1: 22 characters of [A-Za-z0-9_-]. */
export function aorHash(aor: string): string {
  return createHash('md5').update(aor, 'utf8').digest('base64url');
}

export type NameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The name a client's file name or transfer id is stored under, or why it is refused. What the reference
 * would have quietly rewritten into something else (`../x` into `x`) is refused instead: a client that sends
 * it is not a Sylk client.
 */
export function safeName(raw: string): NameCheck {
  if (raw.length === 0) return refused('the name is empty');
  if (raw.length > 4 * MAX_NAME_BYTES) return refused('the name is too long');
  if (raw.includes('\0')) return refused('the name has a NUL character');
  if (raw.includes('/') || raw.includes('\\')) return refused('the name has a path separator');
  if (raw === '.' || raw.includes('..')) return refused('the name has "..", a way out of its directory');
  const name = secureFilename(raw);
  if (name.length === 0) return refused('nothing is left of the name once sanitised');
  if (Buffer.byteLength(name) + METADATA_PREFIX.length > MAX_NAME_BYTES)
    return refused(`the name is longer than ${String(MAX_NAME_BYTES - METADATA_PREFIX.length)} bytes`);
  return { ok: true, name };
}

/**
 * werkzeug.utils.secure_filename: compatibility decomposition, ASCII only, whitespace runs to `_`, anything
 * but `[A-Za-z0-9_.-]` dropped, leading and trailing `.` and `_` stripped. (Its Windows device-name rule is
 * left out: missive does not run on Windows.) The result has no separator and does not start with a dot.
 */
export function secureFilename(raw: string): string {
  const ascii = raw.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  return ascii
    .split(/\s+/)
    .filter((part) => part !== '')
    .join('_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/^[._]+|[._]+$/g, '');
}

function refused(reason: string): NameCheck {
  return { ok: false, reason };
}

/** A hash path segment of a download URL: exactly what aorHash makes. */
export function isAorHash(segment: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(segment);
}
