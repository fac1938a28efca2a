/**
 * Changes to the Via stack: a proxy or client pushes its own Via, a proxy pops the top Via of a response,
 * and a server transport stamps the top Via of a received request with where it really came from
 * (RFC 3261 §18.2.1 received, RFC 3581 rport).
 */
import { restOfList } from '../grammar/list.js';
import type { SipHeaders } from '../headers/header-list.js';
import { getTopVia, replaceTopVia } from '../headers/via.js';
import { normalizeHost } from '../grammar/host.js';

/** Adds a Via value above the others. */
export function pushVia(headers: SipHeaders, via: string): void {
  headers.prepend('Via', via);
}

/** Removes the topmost Via value (only that value when a field holds several); false when there is none. */
export function popVia(headers: SipHeaders): boolean {
  const first = headers.get('Via');
  if (first === undefined) return false;
  const rest = restOfList(first);
  if (rest === undefined) headers.deleteFirst('Via');
  else headers.setFirst('Via', rest);
  return true;
}

export interface PacketSource {
  /** IP address the request came from (IPv6 without brackets). */
  readonly address: string;
  readonly port: number;
}

/**
 * Adds `received` when the sent-by host differs from the source address (RFC 3261 §18.2.1), and fills an
 * empty `rport` with the source port, adding `received` then too (RFC 3581 §4). Returns false when there is
 * no well-formed top Via to stamp.
 */
export function stampVia(headers: SipHeaders, source: PacketSource): boolean {
  const via = getTopVia(headers);
  if (via === undefined) return false;
  const wantsRport = via.rport === null;
  const differs = normalizeHost(via.host) !== normalizeHost(source.address);
  if (!wantsRport && !differs) return true;
  const params = new Map(via.params);
  if (wantsRport) params.set('rport', String(source.port));
  if (wantsRport || differs) params.set('received', source.address);
  // Kept decoded: every layer above reads the stamped Via (the transaction key first), none parses it again.
  replaceTopVia(headers, {
    ...via,
    params,
    received: wantsRport || differs ? source.address : via.received,
    rport: wantsRport ? source.port : via.rport,
  });
  return true;
}
