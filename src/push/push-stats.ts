/**
 * The dispatcher's counters, by provider kind, as a plain snapshot the server's metrics read
 * (`PushDispatcher.pushStats()`); no metrics library here, so the /metrics endpoint owns its format.
 */

export interface ProviderCounters {
  /** Pushes the provider accepted. */
  readonly sent: number;
  /** Pushes refused for good, to a token that is gone, or given up after their retries' time ran out. */
  readonly failed: number;
  /** Retries scheduled (one push may count several). */
  readonly retried: number;
  /** Pushes dropped unsent because the queue was full (the oldest pending goes first). */
  readonly dropped: number;
  /** Tokens removed because the provider said they are gone. */
  readonly tokensRemoved: number;
}

export type CounterName = keyof ProviderCounters;

export interface PushStatsSnapshot {
  readonly byProvider: Readonly<Record<string, ProviderCounters>>;
  /** Pushes for devices whose app has no provider configured (none sent). */
  readonly unrouted: number;
  /** Pushes waiting for a slot or for their next try. */
  readonly queued: number;
  /** Pushes being sent now. */
  readonly inFlight: number;
}

const ZERO: ProviderCounters = { sent: 0, failed: 0, retried: 0, dropped: 0, tokensRemoved: 0 };

export class PushStats {
  readonly #byProvider = new Map<string, { -readonly [K in CounterName]: number }>();
  #unrouted = 0;

  count(provider: string, counter: CounterName, n = 1): void {
    let counters = this.#byProvider.get(provider);
    if (counters === undefined) {
      counters = { ...ZERO };
      this.#byProvider.set(provider, counters);
    }
    counters[counter] += n;
  }

  unrouted(): void {
    this.#unrouted++;
  }

  snapshot(queued: number, inFlight: number): PushStatsSnapshot {
    const byProvider: Record<string, ProviderCounters> = {};
    for (const [provider, counters] of this.#byProvider) byProvider[provider] = { ...counters };
    return { byProvider, unrouted: this.#unrouted, queued, inFlight };
  }
}
