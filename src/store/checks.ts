/**
 * Input checks shared by the messaging stores (journal, storage accounts, keys, push tokens): every value is
 * checked before anything is written, so that both backends store the same values and a row never holds
 * what a reader cannot decode.
 */
import { InvalidInputError } from './errors.js';

/** Identifiers: AORs, message ids, content types, device ids… */
export const MAX_NAME = 1024;
const CONTROL = /\p{Cc}/u;

/** A short single-line string: non-empty unless allowed, bounded, no control characters. */
export function checkName(
  field: string,
  value: unknown,
  options: { empty?: boolean; max?: number } = {},
): void {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'is not a string');
  if (value === '' && options.empty !== true) throw new InvalidInputError(field, 'is empty');
  const max = options.max ?? MAX_NAME;
  if (value.length > max) throw new InvalidInputError(field, `is longer than ${max} characters`);
  if (CONTROL.test(value)) throw new InvalidInputError(field, 'contains a control character');
}

/** Free text (message bodies, armored keys): bounded, any characters. */
export function checkText(field: string, value: unknown, max: number): void {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'is not a string');
  if (value.length > max) throw new InvalidInputError(field, `is longer than ${max} characters`);
}

export function checkTime(field: string, value: unknown): void {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw new InvalidInputError(field, 'is not a time in whole milliseconds since the epoch');
  }
}

export function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidInputError(field, `is not an integer from ${min} to ${max}`);
  }
}
