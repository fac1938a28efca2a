/**
 * The "source" that per-source connection limits count: an IPv4 address, or the /64 prefix of an IPv6
 * address. One IPv6 host usually holds a whole /64 (RFC 4291 §2.5.4 interface identifiers; SLAAC, privacy
 * addresses), so counting single IPv6 addresses would let one host take 2^64 shares. An IPv4-mapped IPv6
 * address (::ffff:192.0.2.1, a dual-stack socket's view of an IPv4 peer) counts as its IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function sourceKey(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  if (groups === undefined) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return `${String(high >> 8)}.${String(high & 0xff)}.${String(low >> 8)}.${String(low & 0xff)}`;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an address that isIPv6 accepted (a zone index is ignored). */
function ipv6Groups(address: string): number[] | undefined {
  const zone = address.indexOf('%');
  const text = zone === -1 ? address : address.slice(0, zone);
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] => {
    if (part === undefined || part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        groups.push((a << 8) | b, (c << 8) | d);
      } else {
        groups.push(Number.parseInt(piece, 16));
      }
    }
    return groups;
  };
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
