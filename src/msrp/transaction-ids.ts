import { randomBytes } from 'node:crypto';

/**
 * Transaction ids for messages the relay originates or forwards: 96 bits from the CSPRNG as 24 lower-case hex
 * characters (msrprelay's form). Unpredictable ids matter: a peer that could guess the next forwarded tid
 * could plant that end-line in a body and smuggle a forged message to the far end.
 */
export class TransactionIds {
  #pool = Buffer.alloc(0);
  #offset = 0;

  next(): string {
    if (this.#offset + 12 > this.#pool.length) {
      this.#pool = randomBytes(12 * 512);
      this.#offset = 0;
    }
    const id = this.#pool.toString('hex', this.#offset, this.#offset + 12);
    this.#offset += 12;
    return id;
  }
}
