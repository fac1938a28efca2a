/**
 * The byte budget of a JSON page (sylk spec §8.41: no answer unbounded in size): which of the entries a store
 * read returned fit in a body of at most `budget` bytes, each entry serialised once, to a Buffer, here.
 * The first entry is kept whatever its size, so that no entry is ever unreachable; what is left out is
 * left for the next page (the caller says "more follows"), never dropped.
 */

/** 8 MiB: a few of the largest entries the store accepts, or thousands of ordinary ones. */
export const DEFAULT_PAGE_BYTES = 8 * 1024 * 1024;
/** Below this a page could not hold even the envelope and one ordinary entry. */
export const MIN_PAGE_BYTES = 4096;

export interface FittedPage {
  /** The serialised entries kept, in the order given (oldest first). */
  readonly chunks: Buffer[];
  /** How many entries were left out for want of room. */
  readonly dropped: number;
}

/**
 * Keeps entries while the envelope (`fixedBytes`), the entries and the commas between them stay within
 * `budget`. `keep: 'first'` keeps the oldest (a forward page); `'last'` keeps the newest (a backward page,
 * which continues before its oldest entry).
 */
export function fitPage<T>(
  items: readonly T[],
  serialise: (item: T) => string,
  options: { readonly budget: number; readonly fixedBytes: number; readonly keep: 'first' | 'last' },
): FittedPage {
  const order = options.keep === 'first' ? items : [...items].reverse();
  const chunks: Buffer[] = [];
  let used = options.fixedBytes;
  for (const item of order) {
    const chunk = Buffer.from(serialise(item), 'utf8');
    const cost = chunk.length + (chunks.length > 0 ? 1 : 0);
    if (chunks.length > 0 && used + cost > options.budget) break;
    chunks.push(chunk);
    used += cost;
  }
  if (options.keep === 'last') chunks.reverse();
  return { chunks, dropped: items.length - chunks.length };
}

/** What the store may return at most, in content bytes: an entry serialises to no fewer bytes than its content. */
export function contentBound(budget: number, fixedBytes: number): number {
  return Math.max(0, budget - fixedBytes);
}
