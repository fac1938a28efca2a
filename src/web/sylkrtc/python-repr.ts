/**
 * Python's repr() of a decoded JSON value, for the validation texts the reference sends (sylk spec §1.3:
 * `Invalid value for 'silent' property: 1`, `… property: 'x'`, `… property: None`). Clients show these texts
 * and tests compare them, so a value must read as Python would print it: strings in single quotes unless
 * they hold one and no double quote, True/False/None, lists and dicts with ", " and ": ".
 */

/** Bounds the text: a validation error quotes a value, not a whole oversized request. */
const MAX_REPR_CHARS = 200;

export function pythonRepr(value: unknown): string {
  const text = reprOf(value, 0);
  return text.length <= MAX_REPR_CHARS ? text : `${text.slice(0, MAX_REPR_CHARS)}...`;
}

/** Nesting beyond this is written `...` (Python writes deep values whole; a reply has no need to). */
const MAX_DEPTH = 8;

function reprOf(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return numberRepr(value);
  if (typeof value === 'string') return stringRepr(value);
  if (depth >= MAX_DEPTH) return '...';
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value as unknown[]) {
      items.push(reprOf(item, depth + 1));
      if (items.length > MAX_REPR_CHARS) break;
    }
    return `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const items: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      items.push(`${stringRepr(key)}: ${reprOf(item, depth + 1)}`);
      if (items.length > MAX_REPR_CHARS) break;
    }
    return `{${items.join(', ')}}`;
  }
  // Not from JSON.
  return typeof value === 'bigint' ? value.toString() : 'None';
}

/**
 * JSON numbers: integers as Python ints, others as Python floats. Python's float repr switches to the
 * exponent form below 1e-4 and from 1e16 on, JavaScript's only below 1e-6 and from 1e21; the digits are the
 * same shortest round-trip ones. Python writes the exponent with a sign and at least two digits (`1e-05`).
 */
function numberRepr(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  const text = Math.abs(value) < 1e-4 ? value.toExponential() : String(value);
  return text.replace(/e([+-])(\d)$/, 'e$10$2').replace(/e(\d)/, 'e+$1');
}

/**
 * What Python's str.isprintable() refuses, which repr() escapes: control and format characters,
 * surrogates, private use, unassigned code points, and separators other than the ASCII space.
 */
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === quote) out += `\\${quote}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === ' ' || !NOT_PRINTABLE.test(char)) out += char;
    else if (code < 0x100) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
    if (out.length > MAX_REPR_CHARS) break;
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
