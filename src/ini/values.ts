// Typed readers for INI values, matching what the Python side (configparser / python-application) accepts.

// Python's str.isspace() set, which str.strip() and the `\s` of configparser's regexes use. It differs from
// JavaScript's trim(): Python also strips \x1c-\x1f and \x85, but not the BOM \ufeff.
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);
const NON_SPACE = new RegExp(`[^${PY_SPACE}]`);

/** Python's str.rstrip() with no argument. */
export function pyRstrip(text: string): string {
  return text.replace(TRAILING_SPACE, '');
}

/** Python's str.strip() with no argument. */
export function pyStrip(text: string): string {
  return pyRstrip(text).replace(LEADING_SPACE, '');
}

/** Index of the first character that is not Python whitespace, or -1. */
export function pyFirstNonSpace(text: string): number {
  return text.search(NON_SPACE);
}

// configparser's RawConfigParser.BOOLEAN_STATES (python-application's datatypes.Boolean uses the same words).
const BOOLEAN_STATES: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['yes', true],
  ['true', true],
  ['on', true],
  ['0', false],
  ['no', false],
  ['false', false],
  ['off', false],
]);

/**
 * yes/no, true/false, on/off, 1/0 in any case, like configparser's getboolean(). Like it, the text is not
 * stripped (values read from an INI file already are). Returns undefined for anything else.
 */
export function parseBoolean(text: string): boolean | undefined {
  return BOOLEAN_STATES.get(text.toLowerCase());
}

const INTEGER = /^[+-]?[0-9]+(?:_[0-9]+)*$/;

/**
 * Python's int(text) in base 10: surrounding whitespace, an optional sign, digits with single underscores
 * between them. Returns undefined when Python would raise, and also when the value is not a safe JavaScript
 * integer (Python ints are unbounded; silently rounding a port or a size would be worse than refusing it).
 * Unlike Python, only ASCII digits are accepted.
 */
export function parseInteger(text: string): number | undefined {
  const stripped = pyStrip(text);
  if (!INTEGER.test(stripped)) return undefined;
  const value = Number(stripped.replaceAll('_', ''));
  if (!Number.isSafeInteger(value)) return undefined;
  return value === 0 ? 0 : value; // no -0
}
