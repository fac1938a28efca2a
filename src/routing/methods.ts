/** The methods this proxy knows, and what it answers for the rest (405 with Allow, or 501). */
import { createResponse } from '../sip/message/create-response.js';
import type { SipRequest, SipResponse } from '../sip/message/message.js';

/** Proxied to a user's devices outside a dialog. */
export const ROUTED_METHODS: ReadonlySet<string> = new Set(['INVITE', 'MESSAGE', 'OPTIONS']);

/** Known and accepted somewhere: REGISTER at the registrar, the rest inside dialogs. */
export const ALLOWED_METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'MESSAGE',
  'REGISTER',
  'INFO',
  'UPDATE',
  'PRACK',
  'REFER',
  'NOTIFY',
  'SUBSCRIBE',
];
const KNOWN_METHODS: ReadonlySet<string> = new Set([...ALLOWED_METHODS, 'PUBLISH']);

export const ACCEPTED_BODIES = 'application/sdp, text/plain, message/cpim, message/imdn+xml';

/** 405 for a method we know but do not serve outside a dialog, 501 for one we do not know (§21.4.6, §21.5.2). */
export function unsupportedMethod(request: SipRequest): SipResponse {
  if (!KNOWN_METHODS.has(request.method)) return createResponse(request, 501);
  const response = createResponse(request, 405);
  response.headers.add('Allow', ALLOWED_METHODS.join(', '));
  return response;
}

/** The answer to OPTIONS addressed to the server itself (§11.2). */
export function optionsResponse(request: SipRequest, supported: readonly string[]): SipResponse {
  const response = createResponse(request, 200);
  response.headers.add('Allow', ALLOWED_METHODS.join(', '));
  response.headers.add('Accept', ACCEPTED_BODIES);
  if (supported.length > 0) response.headers.add('Supported', supported.join(', '));
  return response;
}
