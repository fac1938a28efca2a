/**
 * Checks a binding before it is written, so that both backends store the same values and a row never
 * holds what a reader cannot decode (ports out of range, fractional CSeqs, NaN times…).
 */
import { InvalidInputError } from '../errors.js';
import { type Binding, TRANSPORTS } from './binding.js';

/** Bounds a row: SIP headers are limited well below this by the parser. */
const MAX_TEXT = 4096;
const MAX_REG_ID = 2 ** 31 - 1;
const MAX_CSEQ = 2 ** 32 - 1;
const CONTROL = /\p{Cc}/u;

export function validateBinding(binding: Binding): void {
  text('aor', binding.aor);
  text('contact', binding.contact);
  if (binding.instanceId !== undefined) text('instanceId', binding.instanceId);
  if (binding.regId !== undefined) integer('regId', binding.regId, 1, MAX_REG_ID);
  if (binding.q !== undefined && !(Number.isFinite(binding.q) && binding.q >= 0 && binding.q <= 1)) {
    throw new InvalidInputError('q', 'is not a number from 0 to 1');
  }
  time('expiresAt', binding.expiresAt);
  text('callId', binding.callId);
  integer('cseq', binding.cseq, 0, MAX_CSEQ);
  if (!Array.isArray(binding.path)) throw new InvalidInputError('path', 'is not an array');
  binding.path.forEach((uri, i) => {
    text(`path[${i}]`, uri);
  });
  const { source } = binding;
  if (!TRANSPORTS.includes(source.transport)) {
    throw new InvalidInputError('source.transport', `is not one of ${TRANSPORTS.join(', ')}`);
  }
  text('source.host', source.host);
  integer('source.port', source.port, 1, 65535);
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
  time('updatedAt', binding.updatedAt);
}

export function checkTime(field: string, value: number): void {
  time(field, value);
}

export function checkAor(aor: string): void {
  text('aor', aor);
}

function text(field: string, value: unknown, emptyAllowed = false): void {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'is not a string');
  if (value === '' && !emptyAllowed) throw new InvalidInputError(field, 'is empty');
  if (value.length > MAX_TEXT) throw new InvalidInputError(field, `is longer than ${MAX_TEXT} characters`);
  if (CONTROL.test(value)) throw new InvalidInputError(field, 'contains a control character');
}

function integer(field: string, value: unknown, min: number, max: number): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidInputError(field, `is not an integer from ${min} to ${max}`);
  }
}

function time(field: string, value: unknown): void {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw new InvalidInputError(field, 'is not a time in whole milliseconds since the epoch');
  }
}
