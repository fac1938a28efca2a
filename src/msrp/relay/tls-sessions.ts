/**
 * TLS sessions of next hops, so that the relay resumes instead of doing a full handshake (certificate
 * chain, signature) each time it connects to a peer it talked to before: msrprelay opens one connection
 * per session, and relays in a chain connect to each other all the time. Keyed like https.Agent's cache,
 * bounded, oldest first out; a session that failed is dropped.
 */
export class TlsSessionCache {
  readonly #sessions = new Map<string, Buffer>();
  readonly #capacity: number;

  constructor(capacity = 256) {
    this.#capacity = capacity;
  }

  get(key: string): Buffer | undefined {
    return this.#sessions.get(key);
  }

  set(key: string, session: Buffer): void {
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    if (this.#sessions.size > this.#capacity) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }

  evict(key: string): void {
    this.#sessions.delete(key);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
