/**
 * The DNS answers RFC 3263 needs (NAPTR, SRV, A, AAAA) and the resolver that gives them: an interface that
 * `node:dns`'s promise `Resolver` satisfies as it is, so the server uses the system's and tests a local one.
 */

/** RFC 3403 NAPTR, as node:dns returns it. */
export interface NaptrRecord {
  readonly flags: string;
  readonly service: string;
  readonly regexp: string;
  readonly replacement: string;
  readonly order: number;
  readonly preference: number;
}

/** RFC 2782 SRV, as node:dns returns it (`name` is the target host). */
export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** An A or AAAA record with its TTL in seconds. */
export interface AddressRecord {
  readonly address: string;
  readonly ttl: number;
}

/**
 * The queries a locator makes. Rejections carry node:dns error codes (ENODATA, ENOTFOUND, ETIMEOUT, ...);
 * every rejection counts as "no records" for a while (negative caching).
 */
export interface DnsResolver {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string, options: { ttl: true }): Promise<AddressRecord[]>;
  resolve6(name: string, options: { ttl: true }): Promise<AddressRecord[]>;
}
