/**
 * DNS queries through a cache: an answer is kept for its TTL (bounded by `maxTtlMs`), "no records" and
 * failures for `negativeTtlMs`, and a query that takes longer than `queryTimeoutMs` counts as a failure.
 * Concurrent questions for the same name share one query. Nothing here rejects: no answer is an empty list.
 */
import type { Clock } from '../../time/clock.js';
import type { AddressRecord, DnsResolver, NaptrRecord, SrvRecord } from './records.js';
import { TtlCache } from './ttl-cache.js';

export interface CachedDnsOptions {
  readonly resolver: DnsResolver;
  readonly clock: Clock;
  /** Answers kept (one per name and record type). Default 2000. */
  readonly maxEntries?: number | undefined;
  /** How long NAPTR and SRV answers are kept: node:dns reports them without their TTL. Default 60 s. */
  readonly recordTtlMs?: number | undefined;
  /** The longest any answer is kept, whatever its TTL says. Default 1 hour. */
  readonly maxTtlMs?: number | undefined;
  /** How long an empty answer or a failed query is remembered. Default 30 s. */
  readonly negativeTtlMs?: number | undefined;
  /** A query unanswered after this long counts as failed. Default 2 s. */
  readonly queryTimeoutMs?: number | undefined;
}

export type AddressFamily = 4 | 6;

export class CachedDns {
  readonly #resolver: DnsResolver;
  readonly #clock: Clock;
  readonly #cache: TtlCache<readonly unknown[]>;
  readonly #inFlight = new Map<string, Promise<readonly unknown[]>>();
  readonly #recordTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #queryTimeoutMs: number;

  constructor(options: CachedDnsOptions) {
    this.#resolver = options.resolver;
    this.#clock = options.clock;
    this.#cache = new TtlCache(options.clock, options.maxEntries ?? 2000);
    this.#maxTtlMs = options.maxTtlMs ?? 3_600_000;
    this.#recordTtlMs = Math.min(options.recordTtlMs ?? 60_000, this.#maxTtlMs);
    this.#negativeTtlMs = options.negativeTtlMs ?? 30_000;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 2_000;
  }

  naptr(name: string): Promise<readonly NaptrRecord[]> {
    return this.#query(
      `NAPTR ${normalize(name)}`,
      () => this.#resolver.resolveNaptr(name),
      () => this.#recordTtlMs,
    );
  }

  srv(name: string): Promise<readonly SrvRecord[]> {
    return this.#query(
      `SRV ${normalize(name)}`,
      () => this.#resolver.resolveSrv(name),
      () => this.#recordTtlMs,
    );
  }

  /** The addresses of `name`, IPv4 before IPv6 when both families are asked for. */
  async addresses(name: string, families: readonly AddressFamily[] = [4, 6]): Promise<readonly string[]> {
    const answers = await Promise.all(families.map((family) => this.#addresses(name, family)));
    return answers.flat().map((record) => record.address);
  }

  #addresses(name: string, family: AddressFamily): Promise<readonly AddressRecord[]> {
    const ttl = (records: readonly AddressRecord[]): number =>
      Math.min(this.#maxTtlMs, ...records.map((record) => record.ttl * 1000));
    return family === 4
      ? this.#query(`A ${normalize(name)}`, () => this.#resolver.resolve4(name, { ttl: true }), ttl)
      : this.#query(`AAAA ${normalize(name)}`, () => this.#resolver.resolve6(name, { ttl: true }), ttl);
  }

  #query<T>(
    key: string,
    ask: () => Promise<T[]>,
    ttlOf: (records: readonly T[]) => number,
  ): Promise<readonly T[]> {
    const cached = this.#cache.get(key) as readonly T[] | undefined;
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.#inFlight.get(key) as Promise<readonly T[]> | undefined;
    if (pending !== undefined) return pending;
    const query = this.#withTimeout(ask()).then(
      (records) => {
        this.#cache.set(key, records, records.length === 0 ? this.#negativeTtlMs : ttlOf(records));
        return records;
      },
      () => {
        this.#cache.set(key, [], this.#negativeTtlMs);
        return [] as readonly T[];
      },
    );
    this.#inFlight.set(key, query);
    void query.finally(() => this.#inFlight.delete(key));
    return query;
  }

  #withTimeout<T>(answer: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = this.#clock.schedule(this.#queryTimeoutMs, () => {
        reject(new Error('DNS query timed out'));
      });
      answer.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (error: unknown) => {
          timer.cancel();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/** DNS names compare without case and without the root's trailing dot. */
function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
