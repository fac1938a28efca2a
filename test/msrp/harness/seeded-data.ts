// Reproducible pseudo-random bytes, generated on the fly: the AES-256-CTR keystream of a seed.
// Fast (hundreds of MB/s) and never needs the whole file in memory.
import { createCipheriv, createHash } from 'node:crypto';

export class SeededBytes {
  readonly #cipher;

  constructor(seed: string) {
    const key = createHash('sha256').update(seed).digest();
    this.#cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  /** The next `n` bytes of the stream. */
  next(n: number): Buffer {
    return this.#cipher.update(Buffer.alloc(n));
  }
}
