/**
 * The sylkRTC envelope (sylk spec §1.3): one text frame, one JSON object with `sylkrtc` (the type) and
 * `transaction`. What a frame becomes:
 * - `ignored`: not JSON, not an object (the reference raised there, sylk spec §8.31), no `sylkrtc`, or a type
 *   the API does not know. Nothing is sent back, even with a transaction (sylk spec §1.3 rules 1, 2).
 * - `invalid`: a known type whose fields fail the reference's checks (fields.ts), in its field order; the
 *   error is sent back only when the object has a `transaction` key (rule 3), echoing its value.
 * - `request`: the typed request (requests.ts). Unknown extra fields are ignored.
 * The input is bounded by the caller (the frame limit); nothing here throws.
 */
import { validateField, type FieldValue } from './fields.js';
import { buildRequest, schemaOf, type SylkRequest } from './requests.js';

export type IgnoredReason = 'not-json' | 'not-object' | 'no-type' | 'unknown-type';

export type FrameResult =
  | { readonly kind: 'ignored'; readonly reason: IgnoredReason; readonly type?: string | undefined }
  | {
      readonly kind: 'invalid';
      readonly type: string;
      readonly error: string;
      /** The `transaction` value to answer with; absent: the object had no such key, nothing is sent. */
      readonly reply?: { readonly transaction: unknown };
    }
  | { readonly kind: 'request'; readonly request: SylkRequest };

export function parseFrame(text: string): FrameResult {
  const decoded = parseJson(text);
  if (!decoded.ok) return { kind: 'ignored', reason: 'not-json' };
  const object = decoded.value;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return { kind: 'ignored', reason: 'not-object' };
  }
  const fields = object as Readonly<Record<string, unknown>>;
  if (!Object.hasOwn(fields, 'sylkrtc')) return { kind: 'ignored', reason: 'no-type' };
  const type = fields.sylkrtc;
  const schema = typeof type === 'string' ? schemaOf(type) : undefined;
  if (typeof type !== 'string' || schema === undefined) {
    return { kind: 'ignored', reason: 'unknown-type', type: typeof type === 'string' ? type : undefined };
  }
  const valid = new Map<string, FieldValue>();
  for (const spec of schema.fields) {
    const present = Object.hasOwn(fields, spec.name);
    const result = validateField(spec, present, present ? fields[spec.name] : undefined, schema.className);
    if (!result.ok) {
      return Object.hasOwn(fields, 'transaction')
        ? { kind: 'invalid', type, error: result.error, reply: { transaction: fields.transaction } }
        : { kind: 'invalid', type, error: result.error };
    }
    if (result.value !== undefined) valid.set(spec.name, result.value);
  }
  return { kind: 'request', request: buildRequest(type, valid, fields.limit) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // A SyntaxError, or a RangeError for input nested too deep: either way not a request.
    return { ok: false };
  }
}
