/**
 * Whether a REGISTER gets RFC 5626 outbound processing (RFC 5626 §6): the registrar must be the first hop (one
 * Via), or the first Path entry must carry `ob` (an edge proxy that keeps the flow). Otherwise reg-id is
 * ignored — or, when the UA said `Supported: outbound` and sent a reg-id, refused with 439.
 */
import type { SipHeaders } from '../sip/headers/header-list.js';
import { getNameAddrs } from '../sip/headers/name-addr.js';
import { getVias } from '../sip/headers/via.js';
import { isSipUri } from '../sip/uri.js';
import type { RequestedContact } from './contacts.js';

export type OutboundDecision = 'apply' | 'ignore-reg-id' | 'first-hop-lacks-support';

export function outboundDecision(
  headers: SipHeaders,
  contacts: readonly RequestedContact[],
): OutboundDecision {
  if (getVias(headers)?.length === 1) return 'apply';
  const first = getNameAddrs(headers, 'Path')?.[0];
  if (first !== undefined && isSipUri(first.uri) && first.uri.hasParam('ob')) return 'apply';
  const wantsFlow = contacts.some((contact) => contact.regId !== undefined);
  return wantsFlow && headers.values('Supported').includes('outbound')
    ? 'first-hop-lacks-support'
    : 'ignore-reg-id';
}
