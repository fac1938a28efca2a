/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (prometheus.io, "Exposition formats"),
 * for tests that scrape /metrics: every line must be a `# HELP`, a `# TYPE`, another comment, a sample or
 * empty; names and label names must match the format's grammar; label values use only its escapes (\\, \",
 * \n); a family's TYPE comes before its samples and at most once; a sample of a histogram or summary must
 * carry one of the family's suffixes. Results are a union; nothing throws. Bounded: the text and each line
 * have a maximum length.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp?: number | undefined;
}

export interface Family {
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

export type Exposition =
  | { readonly ok: true; readonly families: ReadonlyMap<string, Family> }
  | { readonly ok: false; readonly line: number; readonly error: string };

const MAX_TEXT = 16 * 1024 * 1024;
const MAX_LINE = 64 * 1024;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Exposition {
  if (text.length > MAX_TEXT) return { ok: false, line: 0, error: 'text too long' };
  if (text !== '' && !text.endsWith('\n')) return { ok: false, line: 0, error: 'no final line feed' };
  const state: ParseState = { families: new Map(), typed: new Set() };
  const lines = text.split('\n');
  lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const error = line.length > MAX_LINE ? 'line too long' : parseLine(line, state);
    if (error !== undefined) return { ok: false, line: index + 1, error };
  }
  return { ok: true, families: state.families };
}

interface ParseState {
  readonly families: Map<string, Family>;
  /** Families whose TYPE line was read (a HELP first makes the family with the default type). */
  readonly typed: Set<string>;
}

/** The value of the sample `name{labels}` (labels must match exactly), or undefined. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  if (!exposition.ok) return undefined;
  const wanted = JSON.stringify(sortedEntries(labels));
  for (const family of exposition.families.values())
    for (const sample of family.samples)
      if (sample.name === name && JSON.stringify(sortedEntries(sample.labels)) === wanted)
        return sample.value;
  return undefined;
}

function sortedEntries(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function parseLine(line: string, state: ParseState): string | undefined {
  if (line === '') return undefined;
  if (line.startsWith('#')) return parseComment(line, state);
  return parseSample(line, state.families);
}

function parseComment(line: string, state: ParseState): string | undefined {
  const { families, typed } = state;
  const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/s.exec(line);
  if (match === null) return undefined; // any other comment
  const [, keyword, name = '', rest = ''] = match;
  if (!METRIC_NAME.test(name)) return `bad metric name ${name}`;
  const family = families.get(name);
  if (keyword === 'HELP') {
    const help = unescape(rest, false);
    if (help === undefined) return 'bad escape in HELP';
    if (family?.help !== undefined) return `second HELP for ${name}`;
    if (family === undefined) families.set(name, { name, type: 'untyped', help, samples: [] });
    else family.help = help;
    return undefined;
  }
  const type = TYPES.find((t) => t === rest.trim());
  if (type === undefined) return `bad TYPE ${rest}`;
  if (typed.has(name)) return `second TYPE for ${name}`;
  typed.add(name);
  if (family === undefined) {
    families.set(name, { name, type, help: undefined, samples: [] });
    return undefined;
  }
  if (family.samples.length > 0) return `TYPE for ${name} after its samples`;
  family.type = type;
  return undefined;
}

function parseSample(line: string, families: Map<string, Family>): string | undefined {
  let position = 0;
  while (position < line.length && /[a-zA-Z0-9_:]/.test(line.charAt(position))) position++;
  const name = line.slice(0, position);
  if (!METRIC_NAME.test(name)) return `bad metric name in ${JSON.stringify(line.slice(0, 80))}`;
  // No prototype: a label named __proto__ is a label like any other.
  const labels = Object.create(null) as Record<string, string>;
  if (line.charAt(position) === '{') {
    const end = parseLabels(line, position + 1, labels);
    if (typeof end === 'string') return end;
    position = end;
  }
  const fields = line
    .slice(position)
    .trim()
    .split(/[ \t]+/);
  if (!/^[ \t]/.test(line.slice(position)) || fields.length < 1 || fields.length > 2)
    return 'expected a value and an optional timestamp';
  const value = parseValue(fields[0] ?? '');
  if (value === undefined) return `bad value ${fields[0] ?? ''}`;
  let timestamp: number | undefined;
  if (fields[1] !== undefined) {
    if (!/^-?[0-9]+$/.test(fields[1])) return `bad timestamp ${fields[1]}`;
    timestamp = Number(fields[1]);
  }
  const family = familyOf(name, families);
  if (family === undefined) return `sample ${name} is not of its family's type`;
  family.samples.push({ name, labels, value, timestamp });
  return undefined;
}

/** Labels from just after `{`; the position after `}`, or an error. */
function parseLabels(line: string, start: number, labels: Record<string, string>): number | string {
  let position = start;
  for (;;) {
    if (line.charAt(position) === '}') return position + 1;
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(position));
    if (nameMatch === null) return 'bad label name';
    const labelName = nameMatch[0];
    if (!LABEL_NAME.test(labelName)) return 'bad label name';
    position += labelName.length;
    if (line.slice(position, position + 2) !== '="') return `expected =" after ${labelName}`;
    position += 2;
    let raw = '';
    for (;;) {
      if (position >= line.length) return 'unterminated label value';
      const char = line.charAt(position);
      if (char === '"') break;
      if (char === '\\') {
        raw += line.slice(position, position + 2);
        position += 2;
      } else {
        raw += char;
        position++;
      }
    }
    position++;
    const value = unescape(raw, true);
    if (value === undefined) return `bad escape in label ${labelName}`;
    if (Object.hasOwn(labels, labelName)) return `label ${labelName} twice`;
    labels[labelName] = value;
    if (line.charAt(position) === ',') position++;
    else if (line.charAt(position) !== '}') return 'expected , or }';
  }
}

/** HELP text: \\ and \n; a label value: also \". undefined for any other escape. */
function unescape(raw: string, quote: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw.charAt(i);
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = raw.charAt(++i);
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && quote) out += '"';
    else return undefined;
  }
  return out;
}

function parseValue(text: string): number | undefined {
  // Go's ParseFloat, which the format names: NaN and Inf in any case, Inf also as Infinity.
  const word = text.toLowerCase();
  if (word === 'nan') return Number.NaN;
  if (word === '+inf' || word === 'inf' || word === '+infinity' || word === 'infinity')
    return Number.POSITIVE_INFINITY;
  if (word === '-inf' || word === '-infinity') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  return Number(text);
}

/** The family a sample belongs to (by its name and the family's suffixes); an untyped one when none. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const own = families.get(name);
  if (own !== undefined && SUFFIXES[own.type].includes('')) return own;
  for (const family of families.values())
    if (family.name !== name && SUFFIXES[family.type].some((s) => s !== '' && name === family.name + s))
      return family;
  if (own !== undefined) return undefined;
  const family: Family = { name, type: 'untyped', help: undefined, samples: [] };
  families.set(name, family);
  return family;
}

/** The inverse, for property tests: families as a Prometheus server would read them. */
export function renderPrometheusText(families: readonly Family[]): string {
  const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  const escapeLabel = (text: string): string => escapeHelp(text).replace(/"/g, '\\"');
  const number = (value: number): string =>
    Number.isNaN(value)
      ? 'NaN'
      : value === Number.POSITIVE_INFINITY
        ? '+Inf'
        : value === Number.NEGATIVE_INFINITY
          ? '-Inf'
          : String(value);
  let text = '';
  for (const family of families) {
    if (family.help !== undefined) text += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    text += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      text += `${sample.name}${labels === '' ? '' : `{${labels}}`} ${number(sample.value)}`;
      text += sample.timestamp === undefined ? '\n' : ` ${String(sample.timestamp)}\n`;
    }
  }
  return text;
}
