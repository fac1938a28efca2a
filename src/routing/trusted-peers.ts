/**
 * Sources whose requests are taken without digest authentication (another proxy, an application server, a
 * benchmark's load generator), as CIDR blocks: `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`.
 */
import { BlockList, isIP } from 'node:net';

export class TrustedPeers {
  readonly #list = new BlockList();
  #empty = true;

  constructor(cidrs: Iterable<string>) {
    for (const cidr of cidrs) this.add(cidr);
  }

  /** Throws a TypeError naming the entry when it is not an address or CIDR block. */
  add(cidr: string): void {
    const [address = '', bits, extra] = cidr.trim().split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new TypeError(`not an IP address or CIDR block: ${cidr}`);
    }
    this.#list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    this.#empty = false;
  }

  has(address: string): boolean {
    if (this.#empty) return false;
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
