/**
 * A DNS zone in memory for the locator's unit tests: answers like node:dns (records, or a rejection with
 * ENODATA / ENOTFOUND), counts the questions asked, and can hold an answer back to play a slow server.
 * The integration tests ask a real server (dnsmasq) instead.
 */
import type { AddressRecord, DnsResolver, NaptrRecord, SrvRecord } from '../../../src/sip/dns/records.js';

type RecordType = 'NAPTR' | 'SRV' | 'A' | 'AAAA';

export class MemoryZone implements DnsResolver {
  readonly naptr = new Map<string, NaptrRecord[]>();
  readonly srv = new Map<string, SrvRecord[]>();
  readonly a = new Map<string, AddressRecord[]>();
  readonly aaaa = new Map<string, AddressRecord[]>();
  /** Every question, as "TYPE name". */
  readonly asked: string[] = [];
  /** Names whose questions are never answered. */
  readonly silent = new Set<string>();

  resolveNaptr(name: string): Promise<NaptrRecord[]> {
    return this.#answer('NAPTR', name, this.naptr);
  }

  resolveSrv(name: string): Promise<SrvRecord[]> {
    return this.#answer('SRV', name, this.srv);
  }

  resolve4(name: string): Promise<AddressRecord[]> {
    return this.#answer('A', name, this.a);
  }

  resolve6(name: string): Promise<AddressRecord[]> {
    return this.#answer('AAAA', name, this.aaaa);
  }

  host(name: string, addresses: readonly string[], ttl = 300): this {
    const v4 = addresses.filter((address) => !address.includes(':')).map((address) => ({ address, ttl }));
    const v6 = addresses.filter((address) => address.includes(':')).map((address) => ({ address, ttl }));
    if (v4.length > 0) this.a.set(name, v4);
    if (v6.length > 0) this.aaaa.set(name, v6);
    return this;
  }

  count(question: string): number {
    return this.asked.filter((asked) => asked === question).length;
  }

  #answer<T>(type: RecordType, name: string, records: ReadonlyMap<string, T[]>): Promise<T[]> {
    this.asked.push(`${type} ${name}`);
    if (this.silent.has(name)) return new Promise<T[]>(() => undefined);
    const found = records.get(name);
    if (found !== undefined) return Promise.resolve([...found]);
    return Promise.reject(Object.assign(new Error(`${type} ${name}: no data`), { code: 'ENODATA' }));
  }
}

/** A NAPTR record for `service` leading to the SRV name `replacement`. */
export function naptr(
  order: number,
  preference: number,
  service: string,
  replacement: string,
  flags = 's',
): NaptrRecord {
  return { flags, service, regexp: '', replacement, order, preference };
}
