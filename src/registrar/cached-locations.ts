/**
 * A LocationStore with the proxy's lookups served from memory: every routed request looks up its recipient,
 * while registrations change rarely. Writes go to the store first and then drop the AOR's cached entry; an
 * entry also lives at most `maxAgeMs`, which bounds how long a write by another instance (PostgreSQL shared by
 * several servers) stays unseen. Expired bindings are filtered at read time, as the store does.
 */
import type { Binding, BindingKey } from '../store/location/binding.js';
import type { LocationStore, UpsertOutcome } from '../store/location/location-store.js';
import type { Clock } from '../time/clock.js';

interface Entry {
  readonly bindings: readonly Binding[];
  readonly loadedAt: number;
}

export class CachedLocationStore implements LocationStore {
  readonly #entries = new Map<string, Entry>();

  readonly #store: LocationStore;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;

  constructor(store: LocationStore, clock: Clock, maxAgeMs: number, maxEntries = 100_000) {
    this.#store = store;
    this.#clock = clock;
    this.#maxAgeMs = maxAgeMs;
    this.#maxEntries = maxEntries;
  }

  async upsert(binding: Binding): Promise<UpsertOutcome> {
    try {
      return await this.#store.upsert(binding);
    } finally {
      this.#entries.delete(binding.aor);
    }
  }

  async remove(aor: string, key: BindingKey): Promise<boolean> {
    try {
      return await this.#store.remove(aor, key);
    } finally {
      this.#entries.delete(aor);
    }
  }

  async removeFlow(aor: string, key: BindingKey, connectionId: string): Promise<boolean> {
    try {
      return await this.#store.removeFlow(aor, key, connectionId);
    } finally {
      this.#entries.delete(aor);
    }
  }

  async removeAll(aor: string): Promise<number> {
    try {
      return await this.#store.removeAll(aor);
    } finally {
      this.#entries.delete(aor);
    }
  }

  async lookup(aor: string, now: number): Promise<Binding[]> {
    const cached = this.#entries.get(aor);
    if (cached !== undefined && this.#clock.now() - cached.loadedAt < this.#maxAgeMs) {
      return cached.bindings.filter((binding) => binding.expiresAt > now);
    }
    const loadedAt = this.#clock.now();
    const bindings = await this.#store.lookup(aor, now);
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(aor, { bindings, loadedAt });
    return [...bindings];
  }

  purgeExpired(now: number): Promise<number> {
    return this.#store.purgeExpired(now);
  }

  count(): Promise<number> {
    return this.#store.count();
  }
}
