/**
 * Choosing the response to send upstream when every branch has failed (RFC 3261 §16.7 step 6): a 6xx if there
 * is one, else one of the lowest class; a 503 becomes 500 (the 503 meant the next hop is overloaded, not us);
 * and the challenges of every 401/407 are gathered into the chosen 401/407 (RFC 3261 §16.7 step 7, §22.3).
 */
import type { SipResponse } from '../../sip/message/message.js';

const CHALLENGE_HEADERS = ['WWW-Authenticate', 'Proxy-Authenticate'] as const;

function statusClass(status: number): number {
  return Math.floor(status / 100);
}

export function bestResponse(finals: readonly SipResponse[]): SipResponse | undefined {
  const global = finals.find((response) => statusClass(response.status) === 6);
  const chosen =
    global ??
    finals.reduce<SipResponse | undefined>(
      (best, response) =>
        best === undefined || statusClass(response.status) < statusClass(best.status) ? response : best,
      undefined,
    );
  if (chosen === undefined) return undefined;
  if (chosen.status === 503) {
    chosen.status = 500;
    chosen.reason = 'Server Internal Error';
  }
  if (chosen.status === 401 || chosen.status === 407) gatherChallenges(chosen, finals);
  return chosen;
}

function gatherChallenges(chosen: SipResponse, finals: readonly SipResponse[]): void {
  for (const other of finals) {
    if (other === chosen || (other.status !== 401 && other.status !== 407)) continue;
    for (const name of CHALLENGE_HEADERS) {
      for (const value of other.headers.getAll(name)) chosen.headers.add(name, value);
    }
  }
}
