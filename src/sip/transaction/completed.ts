/**
 * Completed non-INVITE transactions over UDP, kept as small records instead of objects: for Timer J (64*T1) a
 * server transaction only has to answer a retransmitted request with the same bytes, and for Timer K (T4) a
 * client transaction only has to swallow retransmitted responses. At thousands of messages per second the full
 * objects (requests, parsed headers, timers) would hold hundreds of megabytes for those 32 seconds.
 */
import type { Clock } from '../../time/clock.js';
import { DeadlineQueue } from '../../time/deadline-queue.js';

export interface StoredResponse {
  readonly bytes: Buffer;
  readonly host: string;
  readonly port: number;
}

export class CompletedTransactions<T> {
  readonly #records = new Map<string, T>();
  readonly #expiry: DeadlineQueue;

  readonly #lifetimeMs: number;

  constructor(clock: Clock, lifetimeMs: number) {
    this.#lifetimeMs = lifetimeMs;
    this.#expiry = new DeadlineQueue(clock);
  }

  get size(): number {
    return this.#records.size;
  }

  add(key: string, record: T): void {
    this.#records.set(key, record);
    this.#expiry.add(this.#lifetimeMs, () => {
      if (this.#records.get(key) === record) this.#records.delete(key);
    });
  }

  get(key: string): T | undefined {
    return this.#records.get(key);
  }

  clear(): void {
    this.#records.clear();
  }
}
