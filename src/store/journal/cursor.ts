/**
 * Journal cursors: an entry's per-account sequence number, opaque to callers. A cursor carries no account:
 * every query names its account separately, so a cursor taken from one account reads nothing of another.
 */
import { InvalidInputError } from '../errors.js';

const PREFIX = 'j';
const SHAPE = /^j[0-9a-z]{1,11}$/;

/** The position before every entry. */
export const JOURNAL_START = encodeCursor(0);

export function encodeCursor(seq: number): string {
  return PREFIX + seq.toString(36);
}

/** Throws InvalidInputError for anything encodeCursor did not produce. */
export function decodeCursor(cursor: string): number {
  if (typeof cursor !== 'string' || !SHAPE.test(cursor)) {
    throw new InvalidInputError('cursor', 'is not a journal cursor');
  }
  const seq = Number.parseInt(cursor.slice(PREFIX.length), 36);
  if (!Number.isSafeInteger(seq) || encodeCursor(seq) !== cursor) {
    throw new InvalidInputError('cursor', 'is not a journal cursor');
  }
  return seq;
}
