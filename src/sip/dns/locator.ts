/**
 * Locating SIP servers (RFC 3263 §4): the ordered targets (transport, IP address, port) for a SIP or SIPS
 * URI. A numeric host is its own target; an explicit port means A/AAAA only; an explicit transport skips
 * NAPTR; otherwise NAPTR picks the transport and SRV name, then SRV (RFC 2782 order), then A/AAAA; a domain
 * without NAPTR or SRV records is reached at its A/AAAA addresses on the default port. One location takes
 * at most `lookupTimeoutMs`: a slow DNS server then leaves whatever was found by then (often nothing).
 */
import { isIP } from 'node:net';
import { type Clock, systemClock } from '../../time/clock.js';
import { defaultPort } from '../transport/response-target.js';
import type { SendTarget } from '../transport/types.js';
import type { SipUri } from '../uri/sip-uri.js';
import { type AddressFamily, CachedDns, type CachedDnsOptions } from './cached-dns.js';
import { type LocatedTransport, selectNaptr } from './naptr-select.js';
import type { DnsResolver, SrvRecord } from './records.js';
import { orderSrv, type Random } from './srv-order.js';
import { SystemResolver } from './system-resolver.js';

export type { LocatedTransport } from './naptr-select.js';

export interface SipLocatorOptions extends Omit<CachedDnsOptions, 'resolver' | 'clock'> {
  /** Default: the system's DNS servers, then getaddrinfo for addresses (SystemResolver). */
  readonly resolver?: DnsResolver | undefined;
  readonly clock?: Clock | undefined;
  /** For the weighted choice among SRV records of one priority. Default Math.random. */
  readonly random?: Random | undefined;
  /** The longest one location may take. Default 4 s. */
  readonly lookupTimeoutMs?: number | undefined;
  /** Address families asked for, in order of preference. Default IPv4 then IPv6. */
  readonly families?: readonly AddressFamily[] | undefined;
  /** Most targets returned. Default 16. */
  readonly maxTargets?: number | undefined;
}

export interface LocatedTarget extends SendTarget {
  readonly transport: LocatedTransport;
}

/** What the proxy and the messaging application need of a locator (SipLocator, or a stand-in). */
export interface ServerLocator {
  locate(uri: SipUri, transports?: readonly LocatedTransport[]): Promise<LocatedTarget[]>;
}

const ALL_TRANSPORTS: readonly LocatedTransport[] = ['udp', 'tcp', 'tls'];
/** Without NAPTR records, SRV names are tried in this order (RFC 3263 §4.1 leaves the choice to us). */
const SRV_PREFIX: Readonly<Record<LocatedTransport, string>> = {
  udp: '_sip._udp.',
  tcp: '_sip._tcp.',
  tls: '_sips._tcp.',
};

export class SipLocator implements ServerLocator {
  readonly #dns: CachedDns;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #lookupTimeoutMs: number;
  readonly #families: readonly AddressFamily[];
  readonly #maxTargets: number;

  constructor(options: SipLocatorOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const resolver = options.resolver ?? new SystemResolver();
    this.#dns = new CachedDns({ ...options, resolver, clock: this.#clock });
    this.#random = options.random ?? Math.random;
    this.#lookupTimeoutMs = options.lookupTimeoutMs ?? 4_000;
    this.#families = options.families ?? [4, 6];
    this.#maxTargets = options.maxTargets ?? 16;
  }

  /**
   * The targets for `uri`, best first, over the transports offered (those missive can send on). Empty when
   * the URI names a transport not offered, or DNS knows nothing usable.
   */
  async locate(
    uri: SipUri,
    transports: readonly LocatedTransport[] = ALL_TRANSPORTS,
  ): Promise<LocatedTarget[]> {
    const targets = distinct(await this.#find(uri, transports));
    if (isIP(uri.host) !== 0) return targets;
    // RFC 5922: a TLS server is checked against the URI's domain, whatever SRV target DNS named for it.
    return targets.map((target) =>
      target.transport === 'tls' ? { ...target, serverName: uri.host } : target,
    );
  }

  async #find(uri: SipUri, transports: readonly LocatedTransport[]): Promise<LocatedTarget[]> {
    const wanted = allowedTransports(uri, transports);
    const first = preferredTransport(wanted);
    if (first === undefined) return [];
    if (isIP(uri.host) !== 0)
      return [{ transport: first, host: uri.host, port: uri.port ?? defaultPort(first) }];
    const deadline = this.#clock.now() + this.#lookupTimeoutMs;
    if (uri.port !== undefined) return this.#atAddresses(uri.host, uri.port, first, deadline);
    if (uri.transport === undefined) {
      const naptr = await this.#within(this.#dns.naptr(uri.host), deadline);
      for (const choice of selectNaptr(naptr, uri.secure, wanted)) {
        const targets = await this.#atSrvTargets(choice.srvName, choice.transport, deadline);
        if (targets.length > 0) return targets;
      }
    }
    const order = ALL_TRANSPORTS.filter((transport) => wanted.has(transport));
    const answers = await Promise.all(
      order.map((transport) => this.#within(this.#dns.srv(SRV_PREFIX[transport] + uri.host), deadline)),
    );
    for (const [i, transport] of order.entries()) {
      const records = answers[i] ?? [];
      if (records.length === 0) continue;
      const targets = await this.#expand(records, transport, deadline);
      if (targets.length > 0) return targets;
    }
    return this.#atAddresses(uri.host, defaultPort(first), first, deadline);
  }

  async #atSrvTargets(name: string, transport: LocatedTransport, deadline: number): Promise<LocatedTarget[]> {
    return this.#expand(await this.#within(this.#dns.srv(name), deadline), transport, deadline);
  }

  /** SRV records in RFC 2782 order, each replaced by its addresses (a target without any is skipped). */
  async #expand(
    records: readonly SrvRecord[],
    transport: LocatedTransport,
    deadline: number,
  ): Promise<LocatedTarget[]> {
    const ordered = orderSrv(records, this.#random).slice(0, this.#maxTargets);
    const addresses = await Promise.all(
      ordered.map((record) => this.#within(this.#dns.addresses(record.name, this.#families), deadline)),
    );
    const targets = ordered.flatMap((record, i) =>
      (addresses[i] ?? []).map((host) => ({ transport, host, port: record.port })),
    );
    return targets.slice(0, this.#maxTargets);
  }

  async #atAddresses(
    host: string,
    port: number,
    transport: LocatedTransport,
    deadline: number,
  ): Promise<LocatedTarget[]> {
    const addresses = await this.#within(this.#dns.addresses(host, this.#families), deadline);
    return addresses.slice(0, this.#maxTargets).map((address) => ({ transport, host: address, port }));
  }

  /** The answer, or nothing once the location's time is up. */
  #within<T>(answer: Promise<readonly T[]>, deadline: number): Promise<readonly T[]> {
    const left = deadline - this.#clock.now();
    if (left <= 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const timer = this.#clock.schedule(left, () => {
        resolve([]);
      });
      void answer.then((records) => {
        timer.cancel();
        resolve(records);
      });
    });
  }
}

/** Two SRV records for one host and port would be one target tried twice: the first place is kept. */
function distinct(targets: readonly LocatedTarget[]): LocatedTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.transport} ${target.host} ${String(target.port)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The transports a URI may use: a SIPS URI only TLS, a `transport` parameter only that one. */
function allowedTransports(uri: SipUri, offered: readonly LocatedTransport[]): ReadonlySet<LocatedTransport> {
  const named = uri.transport;
  let allowed: readonly LocatedTransport[];
  if (named === undefined) allowed = uri.secure ? ['tls'] : offered;
  else if (named === 'tcp' || named === 'tls') allowed = uri.secure || named === 'tls' ? ['tls'] : ['tcp'];
  else if (named === 'udp' && !uri.secure) allowed = ['udp'];
  else allowed = [];
  return new Set(allowed.filter((transport) => offered.includes(transport)));
}

/** The transport without NAPTR or SRV: UDP for SIP, TLS for SIPS (RFC 3263 §4.1), or the one the URI names. */
function preferredTransport(allowed: ReadonlySet<LocatedTransport>): LocatedTransport | undefined {
  return ALL_TRANSPORTS.find((transport) => allowed.has(transport));
}
