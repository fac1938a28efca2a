/**
 * The server's default DnsResolver: NAPTR, SRV, A and AAAA from the system's DNS servers (node:dns), and for a
 * name DNS does not resolve (no such name, or no answer), A/AAAA from getaddrinfo (dns.lookup: /etc/hosts and
 * nsswitch), so that a host name that reached a server before RFC 3263 (the transport used dns.lookup) still
 * does. A name DNS knows without records of a family (ENODATA) is taken at its word. getaddrinfo gives no TTL:
 * such answers get `lookupTtlSeconds`.
 */
import { lookup } from 'node:dns/promises';
import { Resolver } from 'node:dns/promises';
import type { AddressRecord, DnsResolver, NaptrRecord, SrvRecord } from './records.js';

export interface SystemResolverOptions {
  /** Per try, as node:dns's Resolver takes it. Default 700 ms, two tries. */
  readonly timeoutMs?: number | undefined;
  readonly tries?: number | undefined;
  /** Default 60 s. */
  readonly lookupTtlSeconds?: number | undefined;
  /** DNS servers ("127.0.0.1:5353") instead of the system's (/etc/resolv.conf). */
  readonly servers?: readonly string[] | undefined;
}

export class SystemResolver implements DnsResolver {
  readonly #dns: Resolver;
  readonly #lookupTtl: number;

  constructor(options: SystemResolverOptions = {}) {
    this.#dns = new Resolver({ timeout: options.timeoutMs ?? 700, tries: options.tries ?? 2 });
    if (options.servers !== undefined) this.#dns.setServers([...options.servers]);
    this.#lookupTtl = options.lookupTtlSeconds ?? 60;
  }

  resolveNaptr(name: string): Promise<NaptrRecord[]> {
    return this.#dns.resolveNaptr(name);
  }

  resolveSrv(name: string): Promise<SrvRecord[]> {
    return this.#dns.resolveSrv(name);
  }

  resolve4(name: string, options: { ttl: true }): Promise<AddressRecord[]> {
    return this.#dns.resolve4(name, options).catch((error: unknown) => this.#lookup(name, 4, error));
  }

  resolve6(name: string, options: { ttl: true }): Promise<AddressRecord[]> {
    return this.#dns.resolve6(name, options).catch((error: unknown) => this.#lookup(name, 6, error));
  }

  /** getaddrinfo's answer, or the DNS error when it has none either. */
  async #lookup(name: string, family: 4 | 6, dnsError: unknown): Promise<AddressRecord[]> {
    if ((dnsError as { code?: unknown } | undefined)?.code === 'ENODATA') throw dnsError;
    const found = await lookup(name, { family, all: true }).catch(() => []);
    if (found.length === 0) throw dnsError;
    return found.map((entry) => ({ address: entry.address, ttl: this.#lookupTtl }));
  }
}
