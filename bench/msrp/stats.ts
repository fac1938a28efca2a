/** Small statistics helpers: nearest-rank percentiles over numbers. */

export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Latencies in milliseconds, bounded: it grows to `capacity`, then keeps every other value. */
export class LatencyLog {
  #values = new Float64Array(64);
  #length = 0;
  #stride = 1;
  #skipped = 0;
  readonly #capacity: number;

  constructor(capacity = 1 << 20) {
    this.#capacity = capacity;
  }

  add(ms: number): void {
    if (++this.#skipped < this.#stride) return;
    this.#skipped = 0;
    if (this.#length === this.#values.length) {
      if (this.#values.length < this.#capacity) {
        const grown = new Float64Array(Math.min(this.#capacity, this.#values.length * 2));
        grown.set(this.#values);
        this.#values = grown;
      } else {
        // Halve the sample: keep every other value, then record half as often.
        for (let i = 0; i < this.#length / 2; i++) this.#values[i] = this.#values[2 * i] ?? 0;
        this.#length = Math.floor(this.#length / 2);
        this.#stride *= 2;
      }
    }
    this.#values[this.#length++] = ms;
  }

  percentile(p: number): number {
    return percentile(this.#values.subarray(0, this.#length), p);
  }
}
