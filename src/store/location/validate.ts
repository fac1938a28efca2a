/**
 * Checks a binding before it is written, so that both backends store the same values and a row never
 * holds what a reader cannot decode (ports out of range, fractional CSeqs, NaN times…).
 */
import { checkInteger, checkName, checkTime } from '../checks.js';
import { InvalidInputError } from '../errors.js';
import { type Binding, TRANSPORTS } from './binding.js';

/** Bounds a row: SIP headers are limited well below this by the parser. */
const MAX_TEXT = 4096;
const MAX_REG_ID = 2 ** 31 - 1;
const MAX_CSEQ = 2 ** 32 - 1;

export function validateBinding(binding: Binding): void {
  text('aor', binding.aor);
  text('contact', binding.contact);
  if (binding.instanceId !== undefined) text('instanceId', binding.instanceId);
  if (binding.regId !== undefined) checkInteger('regId', binding.regId, 1, MAX_REG_ID);
  if (binding.q !== undefined && !(Number.isFinite(binding.q) && binding.q >= 0 && binding.q <= 1)) {
    throw new InvalidInputError('q', 'is not a number from 0 to 1');
  }
  checkTime('expiresAt', binding.expiresAt);
  text('callId', binding.callId);
  checkInteger('cseq', binding.cseq, 0, MAX_CSEQ);
  if (!Array.isArray(binding.path)) throw new InvalidInputError('path', 'is not an array');
  binding.path.forEach((uri, i) => {
    text(`path[${i}]`, uri);
  });
  const { source } = binding;
  if (!TRANSPORTS.includes(source.transport)) {
    throw new InvalidInputError('source.transport', `is not one of ${TRANSPORTS.join(', ')}`);
  }
  text('source.host', source.host);
  checkInteger('source.port', source.port, 1, 65535);
  if (source.connectionId !== undefined) text('source.connectionId', source.connectionId);
  if (binding.userAgent !== undefined) text('userAgent', binding.userAgent, true);
  if (binding.push !== undefined) {
    text('push.provider', binding.push.provider);
    text('push.prid', binding.push.prid);
    if (binding.push.param !== undefined) text('push.param', binding.push.param, true);
    for (const [name, value] of Object.entries(binding.push.extra)) {
      text('push.extra name', name);
      text(`push.extra.${name}`, value, true);
    }
  }
  checkTime('updatedAt', binding.updatedAt);
  if (binding.holder !== undefined) text('holder', binding.holder);
}

export function checkAor(aor: string): void {
  text('aor', aor);
}

/** A binding's string: non-empty unless allowed, bounded, no control characters. */
function text(field: string, value: unknown, emptyAllowed = false): void {
  checkName(field, value, { empty: emptyAllowed, max: MAX_TEXT });
}
