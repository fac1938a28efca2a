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

/** JSON numbers: integers as Python ints, others as Python floats (`1e+21`, `0.5`). */
function numberRepr(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  const text = String(value);
  // JavaScript writes 1e21 and 1e-7; Python writes 1e+21 and 1e-07.
  return text.replace(/e([+-])(\d)$/, 'e$10$2').replace(/e(\d)/, 'e+$1');
}

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
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad) out += `\\x${hex(code, 2)}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${hex(code, 4)}`;
    else out += char;
    if (out.length > MAX_REPR_CHARS) break;
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
