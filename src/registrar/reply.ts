/**
 * The 200 (OK) to a REGISTER (RFC 3261 §10.3 step 8): every current binding of the AOR as a Contact with
 * the seconds it has left, a Date, the Path echoed (RFC 3327 §5.3) and the extensions applied in Supported.
 */
import { quote } from '../sip/grammar/quoted.js';
import { createResponse } from '../sip/message/create-response.js';
import { generateTag } from '../sip/message/ids.js';
import type { SipRequest, SipResponse } from '../sip/message/message.js';
import type { Binding } from '../store/location/binding.js';

export interface ReplyExtras {
  /** The request's Path values, in order. */
  readonly path: readonly string[];
  /** RFC 5626 outbound processing was applied to a reg-id (RFC 5626 §6: then, and only then, `Supported: outbound`). */
  readonly outbound: boolean;
}

export function registeredReply(
  request: SipRequest,
  bindings: readonly Binding[],
  now: number,
  extras: ReplyExtras,
): SipResponse {
  const response = createResponse(request, 200, 'OK', { toTag: generateTag() });
  for (const binding of bindings) response.headers.add('Contact', contactValue(binding, now));
  for (const value of extras.path) response.headers.add('Path', value);
  const supported = [...(extras.path.length > 0 ? ['path'] : []), ...(extras.outbound ? ['outbound'] : [])];
  if (supported.length > 0) response.headers.add('Supported', supported.join(', '));
  response.headers.add('Date', new Date(now).toUTCString());
  return response;
}

/** Seconds left, rounded up so that a fresh 3600 s binding says 3600. */
export function remainingSeconds(binding: Binding, now: number): number {
  return Math.max(0, Math.ceil((binding.expiresAt - now) / 1000));
}

function contactValue(binding: Binding, now: number): string {
  let value = `<${binding.contact}>;expires=${remainingSeconds(binding, now)}`;
  if (binding.q !== undefined) value += `;q=${binding.q}`;
  // The flow identity comes back so that the UA recognises its own binding (RFC 5626 §4.2.1).
  if (binding.instanceId !== undefined) value += `;+sip.instance=${quote(binding.instanceId)}`;
  if (binding.regId !== undefined) value += `;reg-id=${binding.regId}`;
  return value;
}
