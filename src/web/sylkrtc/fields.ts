/**
 * The reference's property types and validators (sylk spec §1.3 "Type rules"), each with its exact error
 * text: a string field takes a JSON string only; a boolean field true or false only (0 and 1 are refused);
 * an integer field a JSON integer or, as in Python where bool is an int, a boolean; an AOR field an
 * optional `sip:`/`sips:` prefix (stripped) before something that parses as a SIP URI once `sip:` is put
 * in front; an optional field may be absent or null; a mandatory one given null is an invalid value.
 * Nothing here throws.
 */
import { parseUri } from '../../sip/uri.js';
import { pythonRepr } from './python-repr.js';

export type FieldValue = string | number | boolean | readonly string[] | Readonly<Record<string, unknown>>;

export type FieldKind =
  | { readonly type: 'string' }
  | { readonly type: 'boolean' }
  | { readonly type: 'integer' }
  | { readonly type: 'aor' }
  /** A string of 1 to 9999 characters (account-add's password, the HA1). */
  | { readonly type: 'password' }
  | { readonly type: 'choice'; readonly values: readonly string[] }
  /** An array of strings; repeated items are dropped, first one kept (the reference's UniqueItemsValidator). */
  | { readonly type: 'unique-strings' }
  | { readonly type: 'object' };

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly optional?: boolean;
}

export type FieldResult =
  | { readonly ok: true; readonly value: FieldValue | undefined }
  | { readonly ok: false; readonly error: string };

const PASSWORD_MAX = 9999;

/** Validates one field of a request object; `present`: the key is in the object at all. */
export function validateField(
  spec: FieldSpec,
  present: boolean,
  value: unknown,
  className: string,
): FieldResult {
  if (!present) {
    return spec.optional === true
      ? { ok: true, value: undefined }
      : failed(`Mandatory property '${spec.name}' of '${className}' object is missing`);
  }
  if (value === null && spec.optional === true) return { ok: true, value: undefined };
  return parseValue(spec, value);
}

function parseValue(spec: FieldSpec, value: unknown): FieldResult {
  const invalid = (): FieldResult =>
    failed(`Invalid value for '${spec.name}' property: ${pythonRepr(value)}`);
  switch (spec.kind.type) {
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : invalid();
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : invalid();
    case 'integer':
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      return typeof value === 'number' && Number.isSafeInteger(value) ? { ok: true, value } : invalid();
    case 'aor': {
      if (typeof value !== 'string') return invalid();
      const aor = parseAor(value);
      return aor === undefined ? failed(`invalid SIP URI: ${value}`) : { ok: true, value: aor };
    }
    case 'password': {
      if (typeof value !== 'string') return invalid();
      const length = codePoints(value);
      return length >= 1 && length <= PASSWORD_MAX
        ? { ok: true, value }
        : failed(`the value's length must be between 1 and ${String(PASSWORD_MAX)} inclusive`);
    }
    case 'choice': {
      const { values } = spec.kind;
      if (typeof value === 'string' && values.includes(value)) return { ok: true, value };
      return failed(
        `Invalid value for '${spec.name}' property: ${pythonRepr(value)} (expected: ${choicesText(values)})`,
      );
    }
    case 'unique-strings': {
      // The reference refuses a string here with its array class name; any non-array is invalid.
      if (!Array.isArray(value)) return invalid();
      const items = value as unknown[];
      const seen = new Set<string>();
      for (const item of items) {
        if (typeof item !== 'string') return failed(`Invalid value for str: ${pythonRepr(item)}`);
        seen.add(item);
      }
      return { ok: true, value: [...seen] };
    }
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { ok: true, value: value as Readonly<Record<string, unknown>> }
        : invalid();
  }
}

/**
 * The AOR without scheme (sylk spec §1.3): `sip:`/`sips:` (exactly, lower case) is stripped, and the rest
 * must parse as a SIP URI behind `sip:`; an `@` is not required. undefined when it does not parse.
 */
export function parseAor(text: string): string | undefined {
  const colon = text.indexOf(':');
  const prefix = colon === -1 ? '' : text.slice(0, colon);
  const aor = prefix === 'sip' || prefix === 'sips' ? text.slice(colon + 1) : text;
  return parseUri(`sip:${aor}`) === undefined ? undefined : aor;
}

/** `a, b or c`, sorted (the reference's LimitedChoiceProperty text). */
export function choicesText(values: readonly string[]): string {
  const sorted = [...values].sort();
  const last = sorted.pop();
  if (last === undefined) return '';
  return sorted.length === 0 ? last : `${sorted.join(', ')} or ${last}`;
}

/** Python's len(): code points, not UTF-16 units. */
function codePoints(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      surrogatePairs++;
      i++;
    }
  }
  return text.length - surrogatePairs;
}

function failed(error: string): FieldResult {
  return { ok: false, error };
}
