/**
 * The bytes of a message that arrived split across reads, in one growable buffer: appending is amortised
 * O(1) per byte however small the reads, and the head can be searched with a native indexOf. Capacity above
 * RELEASE_ABOVE is given back when the buffer empties, so an idle connection holds little memory.
 */
const RELEASE_ABOVE = 16 * 1024;

export class PendingBytes {
  #buffer: Buffer = Buffer.alloc(0);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The pending bytes; valid until the next append, consume or replace. */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  append(chunk: Buffer): void {
    const needed = this.#length + chunk.length;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2, 256));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    chunk.copy(this.#buffer, this.#length);
    this.#length = needed;
  }

  /** Drops the first `count` bytes. */
  consume(count: number): void {
    if (count >= this.#length) {
      this.clear();
      return;
    }
    this.#buffer.copyWithin(0, count, this.#length);
    this.#length -= count;
  }

  /** Replaces the content with a copy of `bytes`. */
  replace(bytes: Buffer): void {
    this.clear();
    if (bytes.length > 0) this.append(bytes);
  }

  clear(): void {
    this.#length = 0;
    if (this.#buffer.length > RELEASE_ABOVE) this.#buffer = Buffer.alloc(0);
  }
}
