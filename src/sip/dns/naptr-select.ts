/**
 * RFC 3263 §4.1: the NAPTR records of a domain that name a SIP service over a transport missive has, in
 * order then preference. Only "s" records (the replacement is an SRV name) are used; a SIPS URI keeps only
 * the SIPS services, a SIP URI keeps SIPS+D2T too (TLS can carry a sip: request). SCTP (D2S) and
 * WebSocket (D2W) services are dropped: missive opens neither toward a server.
 */
import type { NaptrRecord } from './records.js';

export type LocatedTransport = 'udp' | 'tcp' | 'tls';

const SERVICES: ReadonlyMap<string, { readonly transport: LocatedTransport; readonly secure: boolean }> =
  new Map([
    ['SIP+D2U', { transport: 'udp', secure: false }],
    ['SIP+D2T', { transport: 'tcp', secure: false }],
    ['SIPS+D2T', { transport: 'tls', secure: true }],
  ]);

export interface SrvChoice {
  readonly transport: LocatedTransport;
  /** The SRV name to query. */
  readonly srvName: string;
}

export function selectNaptr(
  records: readonly NaptrRecord[],
  secure: boolean,
  transports: ReadonlySet<LocatedTransport>,
): SrvChoice[] {
  const usable: { record: NaptrRecord; choice: SrvChoice }[] = [];
  for (const record of records) {
    const service = SERVICES.get(record.service.toUpperCase());
    if (service === undefined || record.flags.toLowerCase() !== 's') continue;
    if ((secure && !service.secure) || !transports.has(service.transport)) continue;
    if (record.replacement === '' || record.replacement === '.') continue;
    usable.push({ record, choice: { transport: service.transport, srvName: record.replacement } });
  }
  usable.sort((a, b) => a.record.order - b.record.order || a.record.preference - b.record.preference);
  return usable.map((entry) => entry.choice);
}
