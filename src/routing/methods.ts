/**
 * The methods this proxy knows, and what it answers for the rest: 481 for a request of a dialog the proxy
 * is not on, 405 with Allow, or 501.
 */
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

/** Methods a dialog can carry (RFC 3261 §12.2; RFC 3262, 3311, 3515, 6086, 6665). */
const DIALOG_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'BYE',
  'INFO',
  'UPDATE',
  'PRACK',
  'NOTIFY',
  'REFER',
  'SUBSCRIBE',
  'MESSAGE',
  'OPTIONS',
]);

/** Methods valid only inside a dialog: without a To tag they still name a dialog that does not exist. */
const IN_DIALOG_ONLY: ReadonlySet<string> = new Set(['BYE', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY']);

export const ACCEPTED_BODIES = 'application/sdp, text/plain, message/cpim, message/imdn+xml';

/**
 * A request with a To tag and no Route to us: 481 when a dialog could carry it (RFC 3261 §12.2.2), else 404 as the
 * seed's script answers. 405 would say the method is not allowed, and Allow lists it.
 */
export function unroutableInDialog(request: SipRequest): SipResponse {
  if (DIALOG_METHODS.has(request.method)) return createResponse(request, 481);
  return createResponse(request, 404, 'Not Here');
}

/**
 * 481 for an in-dialog-only method outside a dialog (RFC 3261 §12.2.2, §15.1.2), 405 for a method we know but do not
 * serve outside a dialog, 501 for one we do not know (RFC 3261 §21.4.6, §21.5.2).
 */
export function unsupportedMethod(request: SipRequest): SipResponse {
  if (IN_DIALOG_ONLY.has(request.method)) return createResponse(request, 481);
  if (!KNOWN_METHODS.has(request.method)) return createResponse(request, 501);
  const response = createResponse(request, 405);
  response.headers.add('Allow', ALLOWED_METHODS.join(', '));
  return response;
}

/** The answer to OPTIONS addressed to the server itself (RFC 3261 §11.2). */
export function optionsResponse(request: SipRequest, supported: readonly string[]): SipResponse {
  const response = createResponse(request, 200);
  response.headers.add('Allow', ALLOWED_METHODS.join(', '));
  response.headers.add('Accept', ACCEPTED_BODIES);
  if (supported.length > 0) response.headers.add('Supported', supported.join(', '));
  return response;
}
