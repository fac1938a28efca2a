/** Certificate facts the relay needs at startup: the DNS names it may call itself. */
import { X509Certificate } from 'node:crypto';

/** DNS subjectAltNames of the first certificate in a PEM file (a chain may follow it). */
export function dnsNames(certificatePem: Buffer): string[] {
  const certificate = new X509Certificate(certificatePem);
  const san = certificate.subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

/**
 * msrprelay's rule: a wildcard `*.example.com` matches any name ending in `.example.com`, including names
 * with several labels before it. Comparison is case-insensitive, as DNS is.
 */
export function nameMatches(pattern: string, hostname: string): boolean {
  const p = pattern.toLowerCase();
  const h = hostname.toLowerCase();
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}
