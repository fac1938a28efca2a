/**
 * The key a per-source limit counts under, from a peer address: an IPv4 address is itself (an IPv4-mapped
 * IPv6 address, `::ffff:192.0.2.1`, is that IPv4 address), an IPv6 address is its /64 prefix. One host
 * usually holds a whole /64 and can send from any address in it, so counting per IPv6 address would give it
 * 2^64 fresh starts. Anything that is not an IP address (an empty address of a socket already closed) is
 * its own key.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return address;
  const groups = expandIPv6(address.replace(/%.*$/, ''));
  return groups === undefined ? address : `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, lower case without leading zeros; undefined if it is not one. */
function expandIPv6(address: string): string[] | undefined {
  // An embedded IPv4 tail (`::1.2.3.4`, `64:ff9b::1.2.3.4`) is two groups.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  let text = address;
  if (tail !== null) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${address.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const rest = halves[1] === undefined || halves[1] === '' ? [] : halves[1].split(':');
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...rest];
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}
