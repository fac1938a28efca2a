/**
 * A read bounded by size (ReadBounds), alike in both SQL backends: first the sizes of the candidate rows
 * (seq and content bytes only, in read order, at most limit + 1), then the rows that fit, by their range of
 * sequence numbers. Between the two a concurrent removal can only make the page smaller; an append cannot
 * land inside the range (writes to an account commit in sequence order), so nothing is skipped.
 */
import { requireInteger } from './row.js';

export interface Take {
  /** The sequence numbers taken, in read order (ascending for after(), descending for before()). */
  readonly seqs: readonly number[];
  /** Rows were left: beyond the limit or beyond the size. */
  readonly hasMore: boolean;
}

/** `sizes`: rows (seq, content bytes) in read order, as the afterSizes/beforeSizes statements give them. */
export function takeWithin(sizes: readonly (readonly unknown[])[], limit: number, maxBytes: number): Take {
  const seqs: number[] = [];
  let total = 0;
  for (const row of sizes.slice(0, limit)) {
    const bytes = requireInteger(row[1], 'content size');
    if (seqs.length > 0 && total + bytes > maxBytes) break;
    seqs.push(requireInteger(row[0], 'sequence number'));
    total += bytes;
  }
  return { seqs, hasMore: sizes.length > seqs.length };
}

/** The range statement's (first, last) for what was taken, whichever the direction. */
export function rangeOf(take: Take): [number, number] | undefined {
  const first = take.seqs[0];
  const last = take.seqs.at(-1);
  if (first === undefined || last === undefined) return undefined;
  return first <= last ? [first, last] : [last, first];
}
