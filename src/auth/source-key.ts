/**
 * The key a failed login is counted under for its source: the IPv4 address, or the IPv6 /64 network. One
 * host is normally given a whole /64 (RFC 7421 §1, SLAAC), so counting single IPv6 addresses would let one
 * attacker take a fresh address for each guess. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
 * dual-stack socket reports) counts as its IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function sourceKey(address: string): string {
  const zone = address.indexOf('%');
  const text = (zone === -1 ? address : address.slice(0, zone)).toLowerCase();
  if (isIPv4(text)) return text;
  if (!isIPv6(text)) return text;
  const groups = ipv6Groups(text);
  if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') {
    // ::ffff:a.b.c.d, however it is written: the IPv4 address.
    const [high = 0, low = 0] = groups.slice(6).map((group) => Number.parseInt(group, 16));
    return `${String(high >> 8)}.${String(high & 0xff)}.${String(low >> 8)}.${String(low & 0xff)}`;
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of a valid IPv6 address, without leading zeros (an embedded IPv4 tail as two groups). */
function ipv6Groups(text: string): string[] {
  const [head = '', tail] = text.split('::');
  const split = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap(ipv4AsGroups));
  const front = split(head);
  const back = tail === undefined ? [] : split(tail);
  const zeros = Array.from({ length: Math.max(0, 8 - front.length - back.length) }, () => '0');
  return [...front, ...zeros, ...back].map((group) => Number.parseInt(group, 16).toString(16));
}

function ipv4AsGroups(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
